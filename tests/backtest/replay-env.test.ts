import { replayEnv } from "../../backtest/replay";

describe("the environment each replay runs in", () => {
  it("gives each of the two replays half the cores, at least one", () => {
    expect(replayEnv({}, 2).GOMAXPROCS).toBe("1");
    expect(replayEnv({}, 8).GOMAXPROCS).toBe("4");
    expect(replayEnv({}, 1).GOMAXPROCS).toBe("1");
  });

  it("keeps the user's GOMAXPROCS and the rest of the environment", () => {
    expect(replayEnv({ GOMAXPROCS: "6", HOME: "/h" }, 2)).toEqual({ GOMAXPROCS: "6", HOME: "/h" });
    expect(replayEnv({ HOME: "/h" }, 4)).toEqual({ HOME: "/h", GOMAXPROCS: "2" });
  });
});
