/**
 * What every published @levit-unet package must carry (issue 24): checked on the package.json and file
 * list of the packed tarball, so a field that `pnpm pack` drops or a file that `files` leaves out fails too.
 * Hand-written: publint and attw check that the fields that exist are valid, not that these exist.
 */
export const REPOSITORY_URL = 'https://github.com/levit-unet/levit-unet-ts';

/** A packed package: its package.json and the paths inside the tarball (relative, `package/` removed). */
export interface PackedPackage {
  manifest: Record<string, unknown>;
  files: ReadonlyMap<string, string | null>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0;
}

/** Every entry point of `exports` (other than ./package.json) with its `types` condition, or a problem. */
function exportProblems(exportsField: unknown, files: ReadonlyMap<string, string | null>): string[] {
  if (!isObject(exportsField) || !('.' in exportsField)) return ['exports: expected an object with a "." entry point'];
  const problems: string[] = [];
  for (const [subpath, target] of Object.entries(exportsField)) {
    if (subpath === './package.json') continue;
    if (!isObject(target) || !nonEmptyString(target.types)) {
      problems.push(`exports["${subpath}"]: expected a "types" condition`);
      continue;
    }
    if (Object.keys(target)[0] !== 'types') problems.push(`exports["${subpath}"]: "types" must be the first condition`);
    for (const [condition, path] of Object.entries(target)) {
      if (typeof path === 'string' && !files.has(path.replace(/^\.\//, ''))) problems.push(`exports["${subpath}"].${condition}: ${path} is not in the tarball`);
    }
  }
  return problems;
}

/** The first two fenced code blocks of a README: install, then a minimal example. */
function readmeProblems(name: string, readme: string | null | undefined, bin: unknown): string[] {
  if (!readme) return ['README.md: not in the tarball'];
  const head = readme.split('\n').slice(0, 60).join('\n');
  const blocks = [...head.matchAll(/^```(\w*)\n([\s\S]*?)^```/gm)].map((m) => ({ lang: m[1] ?? '', body: m[2] ?? '' }));
  const [install, example] = blocks;
  const problems: string[] = [];
  if (!install || !new RegExp(`npm install[^\\n]*\\s${name.replace(/[/@.-]/g, '\\$&')}(\\s|@|$)`, 'm').test(install.body)) {
    problems.push(`README.md: expected its first code block (within 60 lines) to be \`npm install ${name}\``);
  }
  const bins = isObject(bin) ? Object.keys(bin) : [];
  const isExample = (b: { lang: string; body: string } | undefined): boolean =>
    !!b && ((/^(ts|typescript|js|javascript)$/.test(b.lang) && b.body.includes(`'${name}`)) || bins.some((command) => new RegExp(`^\\s*${command}\\s`, 'm').test(b.body)));
  if (!isExample(example) && !(install && isExample(install))) {
    problems.push(`README.md: expected a minimal example right after the install block (a ts/js block importing '${name}'${bins.length ? ` or running ${bins.join(', ')}` : ''})`);
  }
  return problems;
}

/** Problems with one packed package, one line each naming the field; empty when it is fit to publish. */
export function checkPackageFields({ manifest: m, files }: PackedPackage): string[] {
  const name = nonEmptyString(m.name) ? m.name : '(no name)';
  const problems: string[] = [];
  const need = (field: string, ok: boolean, expected: string): void => {
    if (!ok) problems.push(`${field}: expected ${expected}`);
  };
  need('name', nonEmptyString(m.name) && m.name.startsWith('@levit-unet/'), 'an @levit-unet/ name');
  need('version', nonEmptyString(m.version), 'a version');
  need('description', nonEmptyString(m.description), 'a description');
  need('license', m.license === 'MIT', '"MIT"');
  need('LICENSE', [...files.keys()].some((f) => /^LICEN[CS]E(\.(md|txt))?$/i.test(f)), 'a LICENSE file in the tarball');
  const repo = m.repository;
  need(
    'repository',
    isObject(repo) && repo.type === 'git' && typeof repo.url === 'string' && repo.url.replace(/^git\+/, '').replace(/\.git$/, '') === REPOSITORY_URL && repo.directory === `packages/${name.replace(/^@levit-unet\//, '')}`,
    `{ type: "git", url: "git+${REPOSITORY_URL}.git", directory: "packages/<name>" }`,
  );
  need('homepage', nonEmptyString(m.homepage) && m.homepage.startsWith(REPOSITORY_URL), `a URL under ${REPOSITORY_URL}`);
  need('bugs', isObject(m.bugs) && typeof m.bugs.url === 'string' && m.bugs.url.startsWith(`${REPOSITORY_URL}/issues`), `{ url: "${REPOSITORY_URL}/issues" }`);
  need('keywords', Array.isArray(m.keywords) && m.keywords.length >= 3 && m.keywords.every(nonEmptyString), 'at least 3 keywords');
  need('engines', isObject(m.engines) && nonEmptyString(m.engines.node), '{ node: "<range>" }');
  need('type', m.type === 'module', '"module" (the packages are ESM only)');
  problems.push(...exportProblems(m.exports, files));
  need('files', Array.isArray(m.files) && m.files.length > 0 && m.files.every(nonEmptyString), 'a non-empty list');
  need('sideEffects', typeof m.sideEffects === 'boolean' || (Array.isArray(m.sideEffects) && m.sideEffects.every(nonEmptyString)), 'true, false or a list of files');
  need('publishConfig', isObject(m.publishConfig) && m.publishConfig.access === 'public', '{ access: "public" } (scoped packages publish restricted otherwise)');
  problems.push(...readmeProblems(name, files.get('README.md'), m.bin));
  return problems.map((p) => `${name}: ${p}`);
}
