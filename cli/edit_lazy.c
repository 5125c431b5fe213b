/*
 * edit_lazy.c - libedit, loaded when `step` first reads a line from a
 * terminal. Not a kernel file. Linked at start-up it and its three
 * libraries took 0.3 ms of every run; only the interactive stepper uses
 * it. readline, add_history and using_history are defined here with
 * editline/readline.h's prototypes and forward to the library, opened with
 * dlopen on the first call; without it, lines are read plainly. The
 * Makefile links the binary without -ledit.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <editline/readline.h>

static struct {
	void *lib;
	char *(*readline)(const char *);
	int (*add_history)(const char *);
	void (*using_history)(void);
} ed;

static pthread_once_t ed_once = PTHREAD_ONCE_INIT;

static void ed_open(void)
{
	void *lib = dlopen("libedit.so.2", RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		lib = dlopen("libedit.so", RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return;
	*(void **)&ed.readline = dlsym(lib, "readline");	/* POSIX: a function's address */
	*(void **)&ed.add_history = dlsym(lib, "add_history");
	*(void **)&ed.using_history = dlsym(lib, "using_history");
	if (ed.readline && ed.add_history && ed.using_history)
		ed.lib = lib;
	else
		dlclose(lib);
}

static int ed_ready(void)
{
	pthread_once(&ed_once, ed_open);
	return ed.lib != NULL;
}

char *readline(const char *prompt)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	if (ed_ready())
		return ed.readline(prompt);
	fputs(prompt, stdout);		/* no line editing: a plain read */
	fflush(stdout);
	if ((n = getline(&line, &cap, stdin)) <= 0) {
		free(line);
		return NULL;
	}
	if (line[n - 1] == '\n')
		line[n - 1] = '\0';
	return line;
}

int add_history(const char *line)
{
	return ed_ready() ? ed.add_history(line) : 0;
}

void using_history(void)
{
	if (ed_ready())
		ed.using_history();
}
