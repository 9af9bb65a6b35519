/** Threshold values as people read them in a page: "2%", "500 ms", "500 MiB". */

export function percent(ratio: number): string {
  return `${Number((ratio * 100).toFixed(4))}%`;
}

export function seconds(value: number): string {
  return value < 1 ? `${Number((value * 1000).toFixed(3))}ms` : `${value}s`;
}

export function mebibytes(bytes: number): string {
  return `${Number((bytes / 1024 / 1024).toFixed(1))} MiB`;
}

/** Selector on the Port 8000 job (and more matchers), e.g. `{job="port8000",status=~"5.."}`. */
export function selector(job: string, ...matchers: string[]): string {
  return `{${[`job="${job}"`, ...matchers].join(",")}}`;
}
