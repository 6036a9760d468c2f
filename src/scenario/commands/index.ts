// Every command of the script language, registered by importing its module here.

import './coreutils';
import './functionsSh';

export { selftestHelpers, shellCommands, type Redirect } from './registry';
