#ifndef C_OBJSTREAM_FILESYSTEM_H
#define C_OBJSTREAM_FILESYSTEM_H

// Extended attributes (setxattr(2) and friends), which Swift's Glibc module leaves out.
#include <sys/xattr.h>

// syncfs(2): glibc declares it only under _GNU_SOURCE, which the Glibc module is built without.
extern int syncfs(int fd);

// pipe2(2), for pipes that are close-on-exec from the start: the same.
extern int pipe2(int pipefd[2], int flags);

#endif
