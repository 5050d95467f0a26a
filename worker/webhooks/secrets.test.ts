import { describe, expect, it } from "vitest";
import { bearerProof, hmacProof, newSecret, newSlug, parseSignature, signHex, verifyHmac } from "./secrets";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("slugs and secrets", () => {
  it("are URL-safe, long, and never repeat", () => {
    const slugs = Array.from({ length: 200 }, newSlug);
    const secrets = Array.from({ length: 200 }, newSecret);
    for (const s of slugs) expect(s).toMatch(/^[A-Za-z0-9_-]{32}$/);
    for (const s of secrets) expect(s).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Set(slugs).size).toBe(200);
    expect(new Set(secrets).size).toBe(200);
  });
});

describe("parseSignature", () => {
  const hex = "0123456789abcdef".repeat(4);

  it("reads sha256=<hex> and bare hex, in either case", () => {
    const expected = Uint8Array.from({ length: 32 }, (_, i) => [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef][i % 8]!);
    expect(parseSignature(`sha256=${hex}`)).toEqual(expected);
    expect(parseSignature(hex.toUpperCase())).toEqual(expected);
    expect(parseSignature(` SHA256=${hex} `)).toEqual(expected);
  });

  it.each([undefined, "", "sha256=", `sha1=${"0".repeat(40)}`, `sha256=${"0".repeat(63)}`, `sha256=${"0".repeat(65)}`, `sha256=${"g".repeat(64)}`, `md5=${"0".repeat(64)}`])(
    "refuses %j",
    (header) => expect(parseSignature(header)).toBeNull(),
  );
});

describe("verifyHmac", () => {
  it("matches GitHub's published example (secret 'It's a Secret to Everybody', body 'Hello, World!')", async () => {
    const expected = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    expect(await signHex("It's a Secret to Everybody", "Hello, World!")).toBe(expected);
    expect(await verifyHmac("It's a Secret to Everybody", bytes("Hello, World!"), parseSignature(`sha256=${expected}`)!)).toBe(true);
  });

  it("refuses another body, another secret, and a flipped bit", async () => {
    const sig = parseSignature(await signHex("secret-one-secret-one", "body"))!;
    expect(await verifyHmac("secret-one-secret-one", bytes("body"), sig)).toBe(true);
    expect(await verifyHmac("secret-one-secret-one", bytes("body "), sig)).toBe(false);
    expect(await verifyHmac("secret-two-secret-two", bytes("body"), sig)).toBe(false);
    const flipped = sig.slice();
    flipped[31] = flipped[31]! ^ 1;
    expect(await verifyHmac("secret-one-secret-one", bytes("body"), flipped)).toBe(false);
  });
});

describe("hmacProof", () => {
  it("tells a missing header from a malformed one and from a signature of something else", async () => {
    const sig = await signHex("secret-one-secret-one", "body");
    expect(await hmacProof("secret-one-secret-one", bytes("body"), `sha256=${sig}`)).toBe("ok");
    for (const header of [null, undefined, "", "  "]) expect(await hmacProof("secret-one-secret-one", bytes("body"), header)).toBe("missing");
    for (const header of ["sha256=zz", `sha1=${"0".repeat(40)}`, "secret-one-secret-one"]) {
      expect(await hmacProof("secret-one-secret-one", bytes("body"), header), header).toBe("malformed");
    }
    expect(await hmacProof("secret-one-secret-one", bytes("body "), `sha256=${sig}`)).toBe("mismatch");
    expect(await hmacProof("secret-two-secret-two", bytes("body"), sig)).toBe("mismatch");
  });
});

describe("bearerProof", () => {
  it("accepts exactly `Bearer <secret>`, any case of the scheme, and says what is wrong with anything else", async () => {
    expect(await bearerProof("Bearer s3cret-value", "s3cret-value")).toBe("ok");
    expect(await bearerProof("bearer   s3cret-value ", "s3cret-value")).toBe("ok");
    const cases: [string | undefined, string][] = [
      [undefined, "missing"],
      ["", "missing"],
      ["Bearer", "malformed"],
      ["Basic s3cret-value", "malformed"],
      ["s3cret-value", "malformed"],
      ["Bearer s3cret-valu", "mismatch"],
      ["Bearer s3cret-value2", "mismatch"],
    ];
    for (const [header, proof] of cases) expect(await bearerProof(header, "s3cret-value"), String(header)).toBe(proof);
  });
});
