/*
 * cmd.h - the subcommands of `netjourney`, one file each.
 * Each returns the process exit status: 0 ok, 1 failure, 2 usage error.
 */
#ifndef NJ_CLI_CMD_H
#define NJ_CLI_CMD_H

int cmd_replay(int argc, char **argv);
int cmd_mkpcap(int argc, char **argv);
int cmd_serve(int argc, char **argv);		/* web/ */
int cmd_step(int argc, char **argv);
int cmd_live(int argc, char **argv);
int cmd_lab_net(int argc, char **argv);	/* lab_net.c: the peer namespace for live */
int cmd_lesson(int argc, char **argv);
int cmd_diff_kernel(int argc, char **argv);
int cmd_diff(int argc, char **argv);		/* what if: one capture, two scenarios */
int cmd_run_default(int argc, char **argv);	/* `make run` */
int cmd_export(int argc, char **argv);		/* JSONL <-> compact trace */

/* colour_wanted - "auto" (a TTY), "always", "never"; -1 if unknown. */
int colour_wanted(const char *mode, int fd);

#endif
