/*
 * Prefect names runs "adjective-animal" so people can talk about one ("the brave-otter run failed")
 * without reading ids. Names need not be unique: the id is the identity.
 */
const ADJECTIVES = [
  "agile", "amber", "ancient", "arctic", "bold", "brave", "bright", "brisk", "calm", "careful",
  "cheerful", "clever", "cosmic", "crimson", "curious", "daring", "dazzling", "eager", "electric", "elegant",
  "fancy", "fearless", "festive", "fierce", "friendly", "gentle", "gifted", "glossy", "golden", "graceful",
  "happy", "hidden", "humble", "icy", "jolly", "keen", "kind", "lively", "lucky", "magic",
  "merry", "mighty", "misty", "modest", "nimble", "noble", "olive", "patient", "polite", "proud",
  "quick", "quiet", "rapid", "rustic", "scarlet", "shiny", "silver", "smart", "snowy", "steady",
  "sunny", "swift", "tidy", "vivid", "warm", "wise", "witty", "zealous",
];
const ANIMALS = [
  "albatross", "alpaca", "antelope", "badger", "beaver", "bison", "bobcat", "buffalo", "camel", "caribou",
  "cheetah", "cobra", "condor", "cougar", "coyote", "crane", "dingo", "dolphin", "eagle", "falcon",
  "ferret", "finch", "flamingo", "fox", "gazelle", "gecko", "gibbon", "heron", "hyena", "ibis",
  "jackal", "jaguar", "kestrel", "koala", "lemur", "leopard", "lion", "llama", "lynx", "magpie",
  "marmot", "mink", "moose", "narwhal", "ocelot", "okapi", "osprey", "otter", "owl", "panda",
  "panther", "parrot", "pelican", "penguin", "puffin", "quail", "raccoon", "raven", "salmon", "seal",
  "sparrow", "stork", "swan", "tapir", "tiger", "toucan", "walrus", "weasel", "wolf", "wombat",
];

const pick = <T>(items: readonly T[], random: () => number): T =>
  items[Math.min(Math.floor(random() * items.length), items.length - 1)]!;

/** A readable run name such as "brave-otter"; `random` is injectable so tests can pin it. */
export function generateRunName(random: () => number = Math.random): string {
  return `${pick(ADJECTIVES, random)}-${pick(ANIMALS, random)}`;
}
