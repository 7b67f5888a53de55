package helper

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"syscall"
	"unsafe"

	seccomp "github.com/elastic/go-seccomp-bpf"
	"golang.org/x/sys/unix"
)

// A helper is locked down before it reads a byte of its first request: a
// file that takes over a C parser finds itself in a process that can open
// no file, reach no network, start no program, write nowhere but its
// socket, and use only so much memory.
//
// Seccomp is the wall: its filter holds on every thread of the process
// (TSYNC), and without open, socket or exec the person's files and the
// network are out of reach whatever the kernel. Landlock (no filesystem
// rights at all) is the second wall where the kernel has it (ABI ≥ 1); it
// holds on the thread that serves requests, where the C parsers run, and
// on any thread they start. Go's own threads run only Go.

// memoryLimit bounds how much a helper's address space may grow once
// locked down. LibRaw's largest sensor (raw.MaxPixels, 100 megapixels)
// takes about a gigabyte to demosaic at half size; a file that claims more
// memory than this gets an allocation failure, not the machine's memory.
// It is added to what the process holds already, which the race
// detector's shadow memory makes terabytes.
const memoryLimit = 3 << 30

// maxReply bounds a reply's data: a 100-megapixel picture in RGBA.
const maxReply = 1 << 30

// allowed are the system calls decoding needs: memory, threads and their
// signals, time, and the socket and descriptors it was given. Everything
// else fails with EPERM.
var allowed = []string{
	// The socket and the descriptors that came with requests.
	"read", "write", "readv", "writev", "pread64", "pwrite64", "close", "lseek", "fstat", "newfstatat", "recvmsg", "sendmsg",
	"fcntl", "epoll_create1", "epoll_ctl", "epoll_pwait", "eventfd2", "ppoll",
	// Memory.
	"mmap", "munmap", "mprotect", "madvise", "mremap", "brk",
	// Threads (clone only as a thread: see cloneThread), their signals and
	// their waits.
	"futex", "set_robust_list", "rseq", "sched_yield", "sched_getaffinity", "gettid", "getpid", "tgkill",
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "exit", "exit_group",
	// Time and chance.
	"nanosleep", "clock_nanosleep", "clock_gettime", "gettimeofday", "getrandom",
	// Limits a library asks for (glibc's malloc, libgomp).
	"getrlimit", "prlimit64", "sysinfo", "uname",
}

// cloneThread is the one clone a helper may make: a thread of its own.
// A new process (fork) would escape nothing seccomp holds, but there is no
// reason to allow one.
const cloneThread = unix.CLONE_VM | unix.CLONE_THREAD

func filter() seccomp.Filter {
	return seccomp.Filter{
		NoNewPrivs: true,
		Flag:       seccomp.FilterFlagTSync,
		Policy: seccomp.Policy{
			DefaultAction: seccomp.ActionErrno,
			Syscalls: []seccomp.SyscallGroup{
				{Action: seccomp.ActionAllow, Names: allowed},
				// clone3 hides its flags from the filter; refused as
				// unknown, glibc starts its threads with clone instead.
				{Action: seccomp.ActionErrno | seccomp.Action(unix.ENOSYS), Names: []string{"clone3"}},
				{Action: seccomp.ActionAllow, NamesWithCondtions: []seccomp.NameWithConditions{{
					Name:       "clone",
					Conditions: []seccomp.Condition{{Argument: 0, Operation: seccomp.BitsSet, Value: cloneThread}},
				}}},
			},
		},
	}
}

// lockDown confines this process. It must run on the thread that will
// serve: Landlock holds on the calling thread.
func lockDown() error {
	vm, err := addressSpace()
	if err != nil {
		return err
	}
	for _, l := range []struct {
		resource int
		max      uint64
	}{
		{unix.RLIMIT_AS, vm + memoryLimit},
		{unix.RLIMIT_CORE, 0},
		// No file grows past the largest reply (its memfd; it can open
		// no other to write).
		{unix.RLIMIT_FSIZE, maxReply},
		// The socket, stdio, a request's descriptor and room for a few.
		{unix.RLIMIT_NOFILE, 16},
	} {
		lim := unix.Rlimit{Cur: l.max, Max: l.max}
		if err := unix.Setrlimit(l.resource, &lim); err != nil {
			return fmt.Errorf("limit %d: %w", l.resource, err)
		}
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("no new privileges: %w", err)
	}
	if err := landlock(); err != nil {
		return err
	}
	if err := seccomp.LoadFilter(filter()); err != nil {
		return fmt.Errorf("seccomp: %w", err)
	}
	return nil
}

// addressSpace is the size of this process's address space, in bytes.
func addressSpace() (uint64, error) {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, err
	}
	var pages uint64
	if _, err := fmt.Sscan(string(data), &pages); err != nil {
		return 0, fmt.Errorf("/proc/self/statm: %w", err)
	}
	return pages * uint64(os.Getpagesize()), nil
}

// Landlock's system calls and the filesystem rights of each ABI (the
// kernel's include/uapi/linux/landlock.h).
const (
	sysLandlockCreateRuleset = 444
	sysLandlockRestrictSelf  = 446
	landlockCreateVersion    = 1
)

// fsRights are the filesystem rights Landlock knows at each ABI; a ruleset
// that handles all of them and allows none leaves no file to open, make,
// remove or change.
var fsRights = []uint64{
	1: 1<<13 - 1, // execute … make_sym
	2: 1<<14 - 1, // + refer
	3: 1<<15 - 1, // + truncate
	4: 1<<15 - 1,
	5: 1<<16 - 1, // + ioctl_dev
}

// landlock takes every filesystem right from the calling thread and the
// threads it starts. A kernel without Landlock is not an error: seccomp
// already allows no open.
func landlock() error {
	abi, _, errno := syscall.Syscall(sysLandlockCreateRuleset, 0, 0, landlockCreateVersion)
	if errno != 0 {
		if errors.Is(errno, unix.ENOSYS) || errors.Is(errno, unix.EOPNOTSUPP) {
			return nil
		}
		return fmt.Errorf("landlock: %w", errno)
	}
	attr := struct{ fs, net, scoped uint64 }{fs: fsRights[min(int(abi), len(fsRights)-1)]}
	fd, _, errno := syscall.Syscall(sysLandlockCreateRuleset, uintptr(unsafe.Pointer(&attr)), 8, 0)
	if errno != 0 {
		return fmt.Errorf("landlock ruleset: %w", errno)
	}
	defer unix.Close(int(fd))
	runtime.LockOSThread() // never unlocked: this thread serves
	if _, _, errno := syscall.Syscall(sysLandlockRestrictSelf, fd, 0, 0); errno != 0 {
		return fmt.Errorf("landlock restrict: %w", errno)
	}
	return nil
}
