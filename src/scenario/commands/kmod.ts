// kmod's insmod, rmmod and lsmod, with kmod's own messages.

import { insmodStrerror, strerror } from '../../kernel/errno';
import { deleteModule, loadModule } from '../../kernel/module';
import { lines } from './coreutils';
import { shellCommands } from './registry';

shellCommands.register({
  name: 'insmod',
  usage: 'insmod PATH.ko [param=value ...]',
  args: { min: 1, max: Infinity },
  bin: '/usr/sbin/insmod',
  *run(sh, x, args) {
    const [path, ...params] = args;
    const def = sh.files.find(path);
    if (!def) return { out: [], err: [`insmod: ERROR: could not load module ${path}: No such file or directory`], status: 1 };
    const r = yield* loadModule(sh.k, x, def, params);
    sh.k.exitToUserMode(x.slot);
    if (r.err) return { out: [], err: [`insmod: ERROR: could not insert module ${path}: ${insmodStrerror(r.err)}`], status: 1 };
    return { out: [], err: [], status: 0 };
  },
});

shellCommands.register({
  name: 'rmmod',
  usage: 'rmmod NAME',
  args: { min: 1, max: 1 },
  bin: '/usr/sbin/rmmod',
  *run(sh, x, [name]) {
    const mod = sh.k.modules.get(name.replace(/\.ko$/, ''));
    if (!mod) return { out: [], err: [`rmmod: ERROR: Module ${name} is not currently loaded`], status: 1 };
    // kmod checks /sys/module/<m>/refcnt before calling delete_module().
    if (mod.refcnt > 0) return { out: [], err: [`rmmod: ERROR: Module ${name} is in use`], status: 1 };
    const err = yield* deleteModule(sh.k, x, mod.name);
    sh.k.exitToUserMode(x.slot);
    if (err) return { out: [], err: [`rmmod: ERROR: could not remove module ${name}: ${strerror(err)}`], status: 1 };
    return { out: [], err: [], status: 0 };
  },
});

shellCommands.register({
  name: 'lsmod',
  usage: 'lsmod',
  args: { min: 0, max: 0 },
  bin: '/usr/sbin/lsmod',
  *run(sh, x) {
    const r = sh.readFile(x, '/proc/modules');
    const rows = r.ok ? lines(r.data).map((l) => l.split(' ')) : [];
    return { out: ['Module                  Size  Used by', ...rows.map((c) => `${c[0].padEnd(24)}${c[1].padStart(6)}  ${c[2]}`)], err: [], status: 0 };
  },
});
