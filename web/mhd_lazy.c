/*
 * mhd_lazy.c - libmicrohttpd, loaded when the server first needs it. Not a
 * kernel file. Linked at start-up, libmicrohttpd brings GnuTLS and eight
 * more libraries whose loading and constructors took 1.7 ms of every
 * run, a third of `replay --no-trace` on a small capture, which never
 * serves. The functions web/ calls are defined here with libmicrohttpd's
 * own prototypes (microhttpd.h checks them) and forward to the library,
 * opened with dlopen on the first call. The Makefile links the binary
 * without -lmicrohttpd.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "web.h"

#define MHD_SONAME	"libmicrohttpd.so.12"	/* the ABI microhttpd.h 0.9.x describes */

static struct {
	void *lib;
	enum MHD_Result (*add_response_header)(struct MHD_Response *, const char *, const char *);
	const char *(*lookup_connection_value)(struct MHD_Connection *, enum MHD_ValueKind, const char *);
	enum MHD_Result (*queue_response)(struct MHD_Connection *, unsigned int, struct MHD_Response *);
	const union MHD_ConnectionInfo *(*get_connection_info)(struct MHD_Connection *,
							       enum MHD_ConnectionInfoType, ...);
	void (*destroy_response)(struct MHD_Response *);
	void (*stop_daemon)(struct MHD_Daemon *);
	struct MHD_Daemon *(*start_daemon_va)(unsigned int, uint16_t, MHD_AcceptPolicyCallback, void *,
					      MHD_AccessHandlerCallback, void *, va_list);
	const char *(*get_reason_phrase_for)(unsigned int);
	const union MHD_DaemonInfo *(*get_daemon_info)(struct MHD_Daemon *, enum MHD_DaemonInfoType, ...);
	struct MHD_Response *(*create_response_from_fd)(size_t, int);
	struct MHD_Response *(*create_response_from_callback)(uint64_t, size_t, MHD_ContentReaderCallback, void *,
							      MHD_ContentReaderFreeCallback);
	struct MHD_Response *(*create_response_from_buffer)(size_t, void *, enum MHD_ResponseMemoryMode);
	void (*suspend_connection)(struct MHD_Connection *);
	void (*resume_connection)(struct MHD_Connection *);
} mhd;

static pthread_once_t mhd_once = PTHREAD_ONCE_INIT;
static char mhd_err[256];

/* dlsym's object pointer as a function pointer: POSIX guarantees it. */
#define MHD_SYM(field, name) \
	do { \
		void *p_ = dlsym(mhd.lib, name); \
		if (!p_) \
			goto missing; \
		*(void **)&mhd.field = p_; \
	} while (0)

static void mhd_open(void)
{
	mhd.lib = dlopen(MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!mhd.lib)
		mhd.lib = dlopen("libmicrohttpd.so", RTLD_NOW | RTLD_LOCAL);
	if (!mhd.lib) {
		snprintf(mhd_err, sizeof(mhd_err), "%s", dlerror());
		return;
	}
	MHD_SYM(add_response_header, "MHD_add_response_header");
	MHD_SYM(lookup_connection_value, "MHD_lookup_connection_value");
	MHD_SYM(queue_response, "MHD_queue_response");
	MHD_SYM(get_connection_info, "MHD_get_connection_info");
	MHD_SYM(destroy_response, "MHD_destroy_response");
	MHD_SYM(stop_daemon, "MHD_stop_daemon");
	MHD_SYM(start_daemon_va, "MHD_start_daemon_va");
	MHD_SYM(get_reason_phrase_for, "MHD_get_reason_phrase_for");
	MHD_SYM(get_daemon_info, "MHD_get_daemon_info");
	MHD_SYM(create_response_from_fd, "MHD_create_response_from_fd");
	MHD_SYM(create_response_from_callback, "MHD_create_response_from_callback");
	MHD_SYM(create_response_from_buffer, "MHD_create_response_from_buffer");
	MHD_SYM(suspend_connection, "MHD_suspend_connection");
	MHD_SYM(resume_connection, "MHD_resume_connection");
	return;
missing:
	snprintf(mhd_err, sizeof(mhd_err), "%s", dlerror());
	dlclose(mhd.lib);
	mhd.lib = NULL;
}

/* 1 once the library is loaded; else says why on stderr (once) and 0. */
static int mhd_ready(void)
{
	static int said;
	pthread_once(&mhd_once, mhd_open);
	if (mhd.lib)
		return 1;
	if (!said++)
		fprintf(stderr, "netjourney: cannot load libmicrohttpd (the web server's library): %s\n", mhd_err);
	return 0;
}

/* Only a daemon leads to the other calls, and none starts without the
 * library: reaching one without it is a bug, not an input. */
static void mhd_need(void)
{
	if (!mhd_ready())
		abort();
}

struct MHD_Daemon *MHD_start_daemon(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc, void *apc_cls,
				    MHD_AccessHandlerCallback dh, void *dh_cls, ...)
{
	va_list ap;
	if (!mhd_ready())
		return NULL;
	va_start(ap, dh_cls);
	struct MHD_Daemon *d = mhd.start_daemon_va(flags, port, apc, apc_cls, dh, dh_cls, ap);
	va_end(ap);
	return d;
}

void MHD_stop_daemon(struct MHD_Daemon *daemon)
{
	mhd_need();
	mhd.stop_daemon(daemon);
}

/* The info calls take no further arguments for the kinds web/ asks. */
const union MHD_DaemonInfo *MHD_get_daemon_info(struct MHD_Daemon *daemon, enum MHD_DaemonInfoType info_type, ...)
{
	mhd_need();
	return mhd.get_daemon_info(daemon, info_type);
}

const union MHD_ConnectionInfo *MHD_get_connection_info(struct MHD_Connection *connection,
							enum MHD_ConnectionInfoType info_type, ...)
{
	mhd_need();
	return mhd.get_connection_info(connection, info_type);
}

const char *MHD_lookup_connection_value(struct MHD_Connection *connection, enum MHD_ValueKind kind, const char *key)
{
	mhd_need();
	return mhd.lookup_connection_value(connection, kind, key);
}

const char *MHD_get_reason_phrase_for(unsigned int code)
{
	mhd_need();
	return mhd.get_reason_phrase_for(code);
}

struct MHD_Response *MHD_create_response_from_buffer(size_t size, void *buffer, enum MHD_ResponseMemoryMode mode)
{
	mhd_need();
	return mhd.create_response_from_buffer(size, buffer, mode);
}

struct MHD_Response *MHD_create_response_from_fd(size_t size, int fd)
{
	mhd_need();
	return mhd.create_response_from_fd(size, fd);
}

struct MHD_Response *MHD_create_response_from_callback(uint64_t size, size_t block_size, MHD_ContentReaderCallback crc,
						       void *crc_cls, MHD_ContentReaderFreeCallback crfc)
{
	mhd_need();
	return mhd.create_response_from_callback(size, block_size, crc, crc_cls, crfc);
}

enum MHD_Result MHD_add_response_header(struct MHD_Response *response, const char *header, const char *content)
{
	mhd_need();
	return mhd.add_response_header(response, header, content);
}

enum MHD_Result MHD_queue_response(struct MHD_Connection *connection, unsigned int status_code,
				   struct MHD_Response *response)
{
	mhd_need();
	return mhd.queue_response(connection, status_code, response);
}

void MHD_destroy_response(struct MHD_Response *response)
{
	mhd_need();
	mhd.destroy_response(response);
}

void MHD_suspend_connection(struct MHD_Connection *connection)
{
	mhd_need();
	mhd.suspend_connection(connection);
}

void MHD_resume_connection(struct MHD_Connection *connection)
{
	mhd_need();
	mhd.resume_connection(connection);
}
