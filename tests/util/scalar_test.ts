import { parse as parseYaml } from "yaml";
import { parseScalar } from "../../lib/util/scalar.ts";
import { assertEquals } from "./assert.ts";

Deno.test("parseScalar: the YAML scalars and flow collections of --set values, without YAML", () => {
  const cases = [
    "abc",
    '"abc"',
    "'it''s'",
    "10",
    "-3",
    "1e-4",
    ".5",
    "true",
    "False",
    "null",
    "~",
    "",
    "[g, r]",
    "[1, 2.5, x]",
    "[]",
    "{dropout: 0.3, name: conv}",
    "{a: [1, 2], b: {c: true}}",
    "some/folder",
    "runs/x y",
  ];
  // Same values as the yaml package gives (which needs environment access to parse).
  for (const c of cases) assertEquals(parseScalar(c), parseYaml(c) ?? null, c);
  assertEquals(parseScalar(".inf"), Infinity);
  assertEquals(parseScalar("-.inf"), -Infinity);
  assertEquals(Number.isNaN(parseScalar(".nan")), true);
});
