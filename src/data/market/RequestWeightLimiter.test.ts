import { describe, expect, it } from "vitest";
import { RequestWeightLimiter } from "./RequestWeightLimiter.js";

describe("RequestWeightLimiter (Binance fixed windows)", () => {
  it("charges weight per client within a window aligned to multiples of windowMs, rejects past the limit with Retry-After to the reset", () => {
    let now = 60_000 * 100 + 15_000; // 15 s into a minute
    const limiter = new RequestWeightLimiter({ limit: 10, windowMs: 60_000, now: () => now });
    expect(limiter.charge("a", 6)).toEqual({ allowed: true, usedWeight: 6, retryAfterSeconds: 45 });
    expect(limiter.charge("b", 6).allowed).toBe(true); // per client
    expect(limiter.charge("a", 4)).toMatchObject({ allowed: true, usedWeight: 10 });
    now += 44_500;
    // Rejected requests are not charged; Retry-After rounds up to whole seconds.
    expect(limiter.charge("a", 1)).toEqual({ allowed: false, usedWeight: 10, retryAfterSeconds: 1 });
    expect(limiter.used("a")).toBe(10);
    now += 500; // the next minute
    expect(limiter.charge("a", 1)).toMatchObject({ allowed: true, usedWeight: 1 });
    expect(limiter.used("b")).toBe(0);
  });

  it("rejects a bad configuration naming the option", () => {
    expect(() => new RequestWeightLimiter({ limit: 0, windowMs: 1000 })).toThrow(/limit must be an integer >= 1/);
    expect(() => new RequestWeightLimiter({ limit: 5, windowMs: 0.5 })).toThrow(/windowMs must be an integer >= 1/);
  });
});
