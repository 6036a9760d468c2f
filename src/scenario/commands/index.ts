// Every command of the script language, registered by importing its module here (the
// order is the order `help` lists them in).

import './builtins';
import './kmod';
import './coreutils';
import './grep';
import './procps';
import './kpatch';
import './klp';
import './functionsSh';
import './jobControl';
import './selftestPrograms';
import './stepping';

export { selftestHelpers, shellCommands } from './registry';
