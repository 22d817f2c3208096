// Prints the package.json of a bundle's external dependencies: every `@aws-sdk/*` package the
// bundle imports (statically, dynamically or through require), at the version package-lock.json
// pins, so that `npm install` puts what the managed Lambda runtime would provide beside it.
//   node externals.mjs <package-lock.json> <bundle.mjs>
import fs from 'node:fs';

const [lockFile, bundleFile] = process.argv.slice(2);
const lock = JSON.parse(fs.readFileSync(lockFile, 'utf8'));
const bundle = fs.readFileSync(bundleFile, 'utf8');
const names = new Set();
for (const m of bundle.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)["'](@aws-sdk\/[a-z0-9-]+)(?:\/[^"']*)?["']/g)) names.add(m[1]);
const dependencies = {};
for (const name of [...names].sort()) {
  const version = lock.packages?.[`node_modules/${name}`]?.version;
  if (!version) {
    console.error(`externals: ${name} is imported by ${bundleFile} but not in ${lockFile}`);
    process.exit(1);
  }
  dependencies[name] = version;
}
process.stdout.write(`${JSON.stringify({ private: true, dependencies }, null, 2)}\n`);
