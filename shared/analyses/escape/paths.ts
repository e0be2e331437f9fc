/**
 * Source paths as the compiler prints them (`./main.go`, `sub/x.go`, `/abs/x.go`) against paths as
 * profiles record them (`/go/src/mapstress/main.go`, `/home/ci/work/sub/x.go`): the same file when the
 * shorter path's components are a suffix of the longer one's.
 */
export function pathParts(path: string): string[] {
  return path
    .replace(/\\/g, '/')
    .split('/')
    .filter((p) => p !== '' && p !== '.');
}

export function sameFile(a: readonly string[], b: readonly string[]): boolean {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (short.length === 0) return false;
  for (let i = 1; i <= short.length; i++) {
    if (short[short.length - i] !== long[long.length - i]) return false;
  }
  return true;
}

/** `./main.go` → `main.go`; `/abs/x/y.go` stays; used in reports and finding ids. */
export function displayPath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}
