import { describe, expect, it } from 'vitest';
import { checkPackageFields, REPOSITORY_URL, type PackedPackage } from './src/package-fields.js';

const README = `# @levit-unet/metrics

Dice and HD95.

\`\`\`sh
npm install @levit-unet/metrics
\`\`\`

\`\`\`ts
import { dice } from '@levit-unet/metrics';
\`\`\`
`;

/** A package as it should be; each test breaks one thing. */
function good(): PackedPackage {
  return {
    manifest: {
      name: '@levit-unet/metrics',
      version: '0.1.0',
      description: 'Segmentation metrics.',
      license: 'MIT',
      type: 'module',
      repository: { type: 'git', url: `git+${REPOSITORY_URL}.git`, directory: 'packages/metrics' },
      homepage: `${REPOSITORY_URL}/tree/main/packages/metrics#readme`,
      bugs: { url: `${REPOSITORY_URL}/issues` },
      keywords: ['dice', 'hd95', 'segmentation'],
      engines: { node: '>=20' },
      exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js' }, './package.json': './package.json' },
      files: ['dist'],
      sideEffects: false,
      publishConfig: { access: 'public' },
    },
    files: new Map([
      ['package.json', '{}'],
      ['LICENSE', null],
      ['README.md', README],
      ['dist/index.js', null],
      ['dist/index.d.ts', null],
    ]),
  };
}

describe('checkPackageFields', () => {
  it('accepts a complete package', () => {
    expect(checkPackageFields(good())).toEqual([]);
  });

  it.each(['name', 'description', 'license', 'repository', 'homepage', 'bugs', 'keywords', 'engines', 'exports', 'files', 'sideEffects', 'publishConfig'])(
    'fails a package.json without %s, naming it',
    (field) => {
      const pkg = good();
      delete pkg.manifest[field];
      const problems = checkPackageFields(pkg);
      expect(problems.length).toBeGreaterThan(0);
      expect(problems.some((p) => p.includes(`: ${field}`) || (field === 'name' && p.startsWith('(no name)')))).toBe(true);
    },
  );

  it('fails a repository without directory, or another URL', () => {
    const pkg = good();
    pkg.manifest.repository = { type: 'git', url: `git+${REPOSITORY_URL}.git` };
    expect(checkPackageFields(pkg)).toEqual([expect.stringMatching(/^@levit-unet\/metrics: repository: expected .*directory/)]);
    pkg.manifest.repository = { type: 'git', url: 'git+https://github.com/someone/else.git', directory: 'packages/metrics' };
    expect(checkPackageFields(pkg)).toHaveLength(1);
  });

  it('fails an entry point without types, or types not first, or a file not in the tarball', () => {
    const pkg = good();
    pkg.manifest.exports = { '.': { import: './dist/index.js' }, './node': { import: './dist/node/index.js', types: './dist/node/index.d.ts' } };
    const problems = checkPackageFields(pkg);
    expect(problems).toContain('@levit-unet/metrics: exports["."]: expected a "types" condition');
    expect(problems).toContain('@levit-unet/metrics: exports["./node"]: "types" must be the first condition');
    expect(problems).toContain('@levit-unet/metrics: exports["./node"].import: ./dist/node/index.js is not in the tarball');
  });

  it('fails a tarball without LICENSE or README', () => {
    const pkg = good();
    (pkg.files as Map<string, string | null>).delete('LICENSE');
    (pkg.files as Map<string, string | null>).delete('README.md');
    expect(checkPackageFields(pkg)).toEqual(['@levit-unet/metrics: LICENSE: expected a LICENSE file in the tarball', '@levit-unet/metrics: README.md: not in the tarball']);
  });

  it('fails a README that does not start with install and a minimal example', () => {
    const pkg = good();
    const files = pkg.files as Map<string, string | null>;
    files.set('README.md', README.replace('npm install @levit-unet/metrics', 'npm install @levit-unet/metrics-extra'));
    expect(checkPackageFields(pkg)).toEqual([expect.stringMatching(/README.md: expected its first code block .*npm install @levit-unet\/metrics/)]);
    files.set('README.md', README.replace("import { dice } from '@levit-unet/metrics';", 'const x = 1;'));
    expect(checkPackageFields(pkg)).toEqual([expect.stringMatching(/README.md: expected a minimal example/)]);
    files.set('README.md', `# x\n\n${'Long prose.\n'.repeat(70)}${README}`);
    expect(checkPackageFields(pkg)).toHaveLength(2);
  });

  it('accepts a command line example for a package with a bin', () => {
    const pkg = good();
    pkg.manifest.bin = { 'levit-unet': './bin/levit-unet.js' };
    (pkg.files as Map<string, string | null>).set('README.md', README.replace("import { dice } from '@levit-unet/metrics';", 'levit-unet metrics --pred p.nii.gz --label l.nii.gz'));
    expect(checkPackageFields(pkg)).toEqual([]);
  });
});
