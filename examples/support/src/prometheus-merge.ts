interface Family {
  help: string | null;
  type: string | null;
  samples: string[];
}

/**
 * Merges Prometheus text expositions (format 0.0.4) of several processes into one: each metric
 * family once, with its `# HELP` and `# TYPE` lines and the samples of every source. The sources
 * must tell their series apart by a label (the examples' `service_name`).
 */
export function mergeExpositions(texts: readonly string[]): string {
  const families = new Map<string, Family>();
  const family = (name: string) => {
    let f = families.get(name);
    if (f === undefined) {
      f = { help: null, type: null, samples: [] };
      families.set(name, f);
    }
    return f;
  };
  for (const text of texts) {
    let current: string | null = null;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const meta = /^# (HELP|TYPE) (\S+)/.exec(line);
      if (meta !== null) {
        current = meta[2]!;
        const f = family(current);
        if (meta[1] === 'HELP') f.help ??= line;
        else f.type ??= line;
        continue;
      }
      if (line.startsWith('#')) continue;
      family(current ?? /^[^{\s]+/.exec(line)![0]).samples.push(line);
    }
  }
  let out = '';
  for (const f of families.values()) {
    if (f.help !== null) out += `${f.help}\n`;
    if (f.type !== null) out += `${f.type}\n`;
    for (const sample of f.samples) out += `${sample}\n`;
  }
  return out;
}
