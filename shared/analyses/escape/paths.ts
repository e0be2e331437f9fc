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

/** How many trailing components two paths share. */
export function commonSuffix(a: readonly string[], b: readonly string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}

export function sameFile(a: readonly string[], b: readonly string[]): boolean {
  const shorter = Math.min(a.length, b.length);
  return shorter > 0 && commonSuffix(a, b) === shorter;
}

/** `./main.go` → `main.go`; `/abs/x/y.go` stays; used in reports and finding ids. */
export function displayPath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}
