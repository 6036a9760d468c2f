// errno values (include/uapi/asm-generic/errno-base.h, errno.h) and the user-space texts
// that the shell, kmod's insmod/rmmod and procps' sysctl print for them.

const EPERM = 1;
export const ENOENT = 2;
const ESRCH = 3;
const EIO = 5;
const E2BIG = 7;
const ENOEXEC = 8;
export const EAGAIN = 11;
const ENOMEM = 12;
export const EACCES = 13;
const EFAULT = 14;
export const EBUSY = 16;
export const EEXIST = 17;
export const ENODEV = 19;
export const ENOTDIR = 20;
export const EISDIR = 21;
export const EINVAL = 22;
const ENOSPC = 28;
const EROFS = 30;
const ERANGE = 34;
const ENAMETOOLONG = 36;
const ENOSYS = 38;
const ENOTEMPTY = 39;
export const EADDRINUSE = 98;

const TEXT: Record<number, string> = {
  [EPERM]: 'Operation not permitted',
  [ENOENT]: 'No such file or directory',
  [ESRCH]: 'No such process',
  [EIO]: 'Input/output error',
  [E2BIG]: 'Argument list too long',
  [ENOEXEC]: 'Exec format error',
  [EAGAIN]: 'Resource temporarily unavailable',
  [ENOMEM]: 'Cannot allocate memory',
  [EACCES]: 'Permission denied',
  [EFAULT]: 'Bad address',
  [EBUSY]: 'Device or resource busy',
  [EEXIST]: 'File exists',
  [ENODEV]: 'No such device',
  [ENOTDIR]: 'Not a directory',
  [EISDIR]: 'Is a directory',
  [EINVAL]: 'Invalid argument',
  [ENOSPC]: 'No space left on device',
  [EROFS]: 'Read-only file system',
  [ERANGE]: 'Numerical result out of range',
  [ENAMETOOLONG]: 'File name too long',
  [ENOSYS]: 'Function not implemented',
  [ENOTEMPTY]: 'Directory not empty',
  [EADDRINUSE]: 'Address already in use',
};


/** glibc strerror(): the text every tool prints for an errno. */
export function strerror(errno: number): string {
  const e = Math.abs(errno);
  return TEXT[e] ?? `Unknown error ${e}`;
}

/** kmod's insmod: mod_strerror() has its own text for a few errnos, strerror() otherwise. */
export function insmodStrerror(errno: number): string {
  switch (Math.abs(errno)) {
    case ENOEXEC: return 'Invalid module format';
    case ENOENT: return 'Unknown symbol in module';
    case ESRCH: return 'Unknown symbol in module';
    case EINVAL: return 'Invalid parameters';
    default: return strerror(errno);
  }
}
