import { assertEquals, assertThrows } from "../util/assert.ts";
import { BandMap } from "../../lib/survey/bands.ts";
import { isoToMjd, timeValueToMjd } from "../../lib/survey/fits_frame.ts";
import { UsageError } from "../../lib/errors.ts";

Deno.test("bands: ids 1..B in order, aliases, unknown = 0", () => {
  const m = new BandMap({ bands: ["g", "r", "i"], aliases: { ZTF_g: "g", "2": "r" } });
  assertEquals([m.id("g"), m.id("r"), m.id(" i "), m.id("ZTF_g"), m.id("2"), m.id("u")], [
    1,
    2,
    3,
    1,
    2,
    0,
  ]);
  assertEquals([m.name(1), m.name(3), m.name(0)], ["g", "i", ""]);
  assertEquals(new BandMap().bands, ["u", "g", "r", "i", "z"]);
  assertEquals(new BandMap({ bands: ["r"] }).size, 1);
  assertEquals(BandMap.parseList("ugriz"), ["u", "g", "r", "i", "z"]);
  assertEquals(BandMap.parseList("ZTF_g,ZTF_r"), ["ZTF_g", "ZTF_r"]);
  assertEquals(BandMap.parseAliases("SDSS r=r,1=g"), { "SDSS r": "r", "1": "g" });
  assertThrows(() => new BandMap({ bands: ["g", "g"] }), UsageError);
  assertThrows(() => new BandMap({ bands: ["g"], aliases: { x: "r" } }), UsageError, /alias/);
});

Deno.test("time keys: ISO dates, JD and MJD", () => {
  assertEquals(isoToMjd("1858-11-17T00:00:00"), 0);
  assertEquals(isoToMjd("2009-06-18"), 55000);
  assertEquals(isoToMjd("2009-06-18T12:00:00Z"), 55000.5);
  assertEquals(timeValueToMjd("DATE-OBS", "2009-06-18T06:00:00"), 55000.25);
  assertEquals(timeValueToMjd("MJD-OBS", 53616.5), 53616.5);
  assertEquals(timeValueToMjd("JD", 2455000.5), 55000);
  assertEquals(Number.isNaN(timeValueToMjd("DATE-OBS", "soon")), true);
});
