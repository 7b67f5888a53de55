// A stand-in for Windows' bcryptprimitives.dll, for tests under Wine 8.0,
// which lacks it: Go 1.24 and later draw random numbers from its
// ProcessPrng and die without it. Windows 10 and 11 have the real one;
// this is never shipped.
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length); // RtlGenRandom

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
	while (length > 0) {
		ULONG n = length > 0x10000000 ? 0x10000000 : (ULONG)length;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		length -= n;
	}
	return TRUE;
}
