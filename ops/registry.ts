import { readFileSync } from "node:fs";
import { type Check, check } from "./checks";
import { Unreachable } from "./http";

/**
 * Guide 3.1 "Bot registry audit" (`registry.py --audit` runs inside Port 8000, out of reach
 * here): the bots that report metrics against the registry of expected bots, from a JSON file
 * or Port 8000's registry endpoint. A bot reporting without being registered fails the check;
 * a registered bot that has not reported for 24h is a finding.
 */

/** Accepts ["bot-1", …], [{"name"|"id": …}, …] or {"bots": either}. */
export function registryNames(body: unknown): string[] {
  const list = Array.isArray(body) ? body : (body as { bots?: unknown })?.bots;
  if (!Array.isArray(list)) throw new Error('expected a list of bots, or {"bots": [...]}');
  return list
    .map((b) =>
      typeof b === "string"
        ? b
        : ((b as { name?: string; id?: string })?.name ?? (b as { id?: string })?.id),
    )
    .filter((b): b is string => typeof b === "string" && b.length > 0)
    .sort();
}

export async function loadRegistry(source: string | undefined): Promise<string[] | undefined> {
  if (!source) return undefined;
  try {
    if (/^https?:\/\//.test(source)) {
      const res = await fetch(source, { signal: AbortSignal.timeout(20_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return registryNames(await res.json());
    }
    return registryNames(JSON.parse(readFileSync(source, "utf8")));
  } catch (err) {
    throw new Unreachable(`cannot read the bot registry ${source} (${(err as Error).message})`);
  }
}

export function registryCheck(
  registered: readonly string[] | undefined,
  seen: readonly string[],
): Check {
  const name = "bot registry audit";
  if (!registered)
    return check(
      name,
      "warn",
      "no registry given (--registry FILE|URL): reporting bots not audited",
    );
  const rogue = seen.filter((b) => !registered.includes(b));
  const silent = registered.filter((b) => !seen.includes(b));
  const head = `${registered.length} registered, ${seen.length} reported in 24h`;
  if (rogue.length)
    return check(
      name,
      "fail",
      `${head}; reporting but not registered: ${rogue.join(", ")}${silent.length ? `; registered, silent: ${silent.join(", ")}` : ""}`,
    );
  if (silent.length)
    return check(name, "warn", `${head}; registered but silent for 24h: ${silent.join(", ")}`);
  return check(
    name,
    "ok",
    `${head}; every reporting bot is registered and every registered bot reports`,
  );
}
