import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * What the console makes a browser download before a page shows, from Vite's build manifest
 * (dist/console/.vite/manifest.json): the entry with everything it imports statically (the shell), and for each lazily
 * loaded page the shell plus that page's own static closure — what the first visit of that page costs. Sizes are
 * gzip level 9, as the sidebar's benchmark measures them.
 */

/** The budget of the brief: console JavaScript on first load. */
export const FIRST_LOAD_JS_LIMIT = 400 * 1024;

interface ManifestChunk {
  file: string;
  src?: string;
  name?: string;
  isEntry?: boolean;
  isDynamicEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}
type Manifest = Record<string, ManifestChunk>;

export interface FileSize {
  file: string;
  bytes: number;
  gzipBytes: number;
}

export interface PageLoad {
  /** The page's source (e.g. `src/views/OverviewView.vue`), or `shell`. */
  page: string;
  js: FileSize[];
  jsGzip: number;
  cssGzip: number;
}

export interface BundleReport {
  shell: PageLoad;
  pages: PageLoad[];
  /** The heaviest first load (shell + one page). */
  worst: PageLoad;
  /** Every JS file of the build, lazily loaded ones included. */
  totalJsGzip: number;
}

export function readManifest(distDir: string): Manifest {
  const path = join(distDir, '.vite', 'manifest.json');
  if (!existsSync(path)) throw new Error(`${path} is missing: run npm run build`);
  return JSON.parse(readFileSync(path, 'utf8')) as Manifest;
}

/** A chunk and everything it imports statically (what the browser fetches with it, modulepreload included). */
function closure(manifest: Manifest, keys: string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...keys];
  while (stack.length > 0) {
    const key = stack.pop()!;
    if (seen.has(key)) continue;
    seen.add(key);
    for (const next of manifest[key]?.imports ?? []) stack.push(next);
  }
  return seen;
}

export function measureBundle(distDir: string): BundleReport {
  const manifest = readManifest(distDir);
  const sizes = new Map<string, FileSize>();
  const sizeOf = (file: string): FileSize => {
    let size = sizes.get(file);
    if (!size) {
      const data = readFileSync(join(distDir, file));
      size = { file, bytes: data.length, gzipBytes: gzipSync(data, { level: 9 }).length };
      sizes.set(file, size);
    }
    return size;
  };
  const load = (page: string, keys: Set<string>): PageLoad => {
    const chunks = [...keys].map((k) => manifest[k]!).filter(Boolean);
    const js = chunks.map((c) => sizeOf(c.file)).sort((a, b) => b.gzipBytes - a.gzipBytes);
    const css = [...new Set(chunks.flatMap((c) => c.css ?? []))].map(sizeOf);
    return {
      page,
      js,
      jsGzip: js.reduce((n, f) => n + f.gzipBytes, 0),
      cssGzip: css.reduce((n, f) => n + f.gzipBytes, 0),
    };
  };

  const entries = Object.keys(manifest).filter((k) => manifest[k]!.isEntry);
  if (entries.length !== 1) throw new Error(`expected one entry in the console manifest, found ${entries.length}`);
  const shellKeys = closure(manifest, entries);
  const shell = load('shell', shellKeys);
  const pages = Object.keys(manifest)
    .filter((k) => manifest[k]!.isDynamicEntry)
    .map((k) => load(manifest[k]!.src ?? k, new Set([...shellKeys, ...closure(manifest, [k])])))
    .sort((a, b) => b.jsGzip - a.jsGzip);
  const worst = pages[0] ?? shell;
  const totalJsGzip = Object.values(manifest)
    .filter((c) => c.file.endsWith('.js'))
    .reduce((n, c) => n + sizeOf(c.file).gzipBytes, 0);
  return { shell, pages, worst, totalJsGzip };
}

export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** `tsx console/build/bundle-size.ts`: prints the first load of the shell and of every page. */
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\/console\//, '/console/'))) {
  const report = measureBundle(join(import.meta.dirname, '../../dist/console'));
  console.log(`shell (sign-in page)      JS ${kb(report.shell.jsGzip)}  CSS ${kb(report.shell.cssGzip)}`);
  for (const p of report.pages) {
    console.log(`${p.page.padEnd(44)} JS ${kb(p.jsGzip).padStart(9)}  CSS ${kb(p.cssGzip).padStart(8)}`);
  }
  console.log(`worst first load: ${report.worst.page} ${kb(report.worst.jsGzip)} (limit ${kb(FIRST_LOAD_JS_LIMIT)})`);
  console.log(`all console JS (lazy pages included): ${kb(report.totalJsGzip)}`);
}
