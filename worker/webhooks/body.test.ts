import { describe, expect, it } from "vitest";
import { ApiError } from "../errors";
import { parseBody, readBody } from "./body";

const enc = (text: string) => new TextEncoder().encode(text);

/** A body that arrives in `sizes` chunks, recording how many were pulled. */
function chunked(sizes: number[]) {
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const size = sizes[pulled++];
      if (size === undefined) controller.close();
      else controller.enqueue(new Uint8Array(size).fill(0x61));
    },
  }, { highWaterMark: 0 });
  return { stream, pulled: () => pulled };
}

const statusOf = async (promise: Promise<unknown>) => promise.then(() => 0, (e: unknown) => (e instanceof ApiError ? e.status : -1));

describe("readBody", () => {
  it("reads a body up to the limit, in whatever chunks it comes", async () => {
    const { stream } = chunked([3, 4, 3]);
    const bytes = await readBody(new Request("http://x/", { method: "POST", body: stream }), 10);
    expect(bytes).toEqual(new Uint8Array(10).fill(0x61));
    expect(await readBody(new Request("http://x/", { method: "POST" }), 10)).toEqual(new Uint8Array(0));
  });

  it("stops reading at the first chunk past the limit", async () => {
    const body = chunked([6, 6, 6, 6, 6]);
    expect(await statusOf(readBody(new Request("http://x/", { method: "POST", body: body.stream }), 10))).toBe(413);
    expect(body.pulled()).toBeLessThanOrEqual(3);
  });

  it("refuses a declared length over the limit without reading, and does not trust one under it", async () => {
    const declared = chunked([1]);
    const big = new Request("http://x/", { method: "POST", body: declared.stream, headers: { "content-length": "11" } });
    expect(await statusOf(readBody(big, 10))).toBe(413);
    expect(declared.pulled()).toBe(0);
    // A Request's headers are immutable once it carries a stream, so the lie is told by a plain object.
    const lying = { headers: new Headers({ "content-length": "2" }), body: chunked([8, 8]).stream } as unknown as Request;
    expect(await statusOf(readBody(lying, 10))).toBe(413);
  });
});

describe("parseBody", () => {
  it("parses JSON (any +json type, any charset parameter)", () => {
    expect(parseBody(enc('{"a":[1,{"b":null}]}'), "application/json")).toEqual({ a: [1, { b: null }] });
    expect(parseBody(enc("[1,2]"), "Application/JSON; charset=utf-8")).toEqual([1, 2]);
    expect(parseBody(enc('"x"'), "application/cloudevents+json")).toBe("x");
  });

  it("turns a form into an object, keeping repeated keys as lists", () => {
    expect(parseBody(enc("a=1&b=two+words&a=3&c=%26%3D&d="), "application/x-www-form-urlencoded")).toEqual({ a: ["1", "3"], b: "two words", c: "&=", d: "" });
    expect(parseBody(enc(""), "application/x-www-form-urlencoded")).toEqual({});
  });

  it("keeps text as text, and an empty untyped body as null", () => {
    expect(parseBody(enc("héllo\n"), "text/plain; charset=utf-8")).toBe("héllo\n");
    expect(parseBody(enc("<p/>"), "text/html")).toBe("<p/>");
    expect(parseBody(new Uint8Array(0), undefined)).toBeNull();
  });

  it.each([
    { what: "truncated JSON", text: '{"a":', type: "application/json", status: 400 },
    { what: "empty JSON", text: "", type: "application/json", status: 400 },
    { what: "single-quoted JSON", text: "{'a': 1}", type: "application/json", status: 400 },
    { what: "JSON with a trailing comma", text: '{"a": 1,}', type: "application/json", status: 400 },
    { what: "untyped bytes", text: "x", type: undefined, status: 415 },
    { what: "XML", text: "<a/>", type: "application/xml", status: 415 },
    { what: "multipart", text: "--x", type: "multipart/form-data; boundary=x", status: 415 },
    { what: "octet-stream", text: "x", type: "application/octet-stream", status: 415 },
  ])("answers $what with $status", ({ text, type, status }) => {
    let caught: unknown;
    try {
      parseBody(enc(text), type);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ApiError);
    expect((caught as ApiError).status).toBe(status);
  });

  it("answers 400 for bytes that are not UTF-8", () => {
    expect(() => parseBody(new Uint8Array([0xc3, 0x28]), "text/plain")).toThrow(/not valid UTF-8/);
  });
});
