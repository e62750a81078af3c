// synthetic_kbdint_server: a SYNTHETIC SSH server (libssh's server API) for
// tests/ssh/tst_sshkbdint. It exists because the keyboard-interactive case
// needs a second factor, and OpenSSH's sshd can only do that through PAM,
// whose stacks live in /etc/pam.d (tests must not change system files).
//
// It offers only keyboard-interactive, in two rounds like a real OTP setup:
//   round 1 "Password: "           the password given on the command line
//   round 2 "Verification code: "  a TOTP code (RFC 6238, 30 s, 6 digits) of
//                                  the hex secret, checked with oathtool for
//                                  the current and the previous time step
// After login it accepts `exec` channels and answers every command with
// "kbdint-ok <user>: <command>\n" and exit status 0. One client at a time.
//
//   synthetic_kbdint_server HOSTKEY PASSWORD HEXSECRET
// prints "port N" on stdout once listening; exits when stdin closes.
#include <libssh/libssh.h>
#include <libssh/server.h>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

namespace {

std::string totpCodes(const std::string &hexSecret)
{
    // The secret is hex digits only (checked in main), so it is safe on a command line.
    const std::string cmd = "oathtool --totp -w 1 -N '30 seconds ago' " + hexSecret;
    std::string out;
    if (FILE *p = popen(cmd.c_str(), "r")) {
        char buf[128];
        while (fgets(buf, sizeof buf, p))
            out += buf;
        pclose(p);
    }
    return out; // two lines: the previous and the current code
}

bool codeMatches(const std::string &hexSecret, const char *answer)
{
    if (!answer || std::strlen(answer) != 6)
        return false;
    const std::string codes = totpCodes(hexSecret);
    return codes.find(std::string(answer) + "\n") != std::string::npos;
}

void serve(ssh_session s, const std::string &password, const std::string &secret)
{
    if (ssh_handle_key_exchange(s) != SSH_OK) {
        std::fprintf(stderr, "kex failed: %s\n", ssh_get_error(s));
        return;
    }
    ssh_set_auth_methods(s, SSH_AUTH_METHOD_INTERACTIVE);
    int round = 0;
    bool authenticated = false;
    std::string user;
    while (ssh_message msg = ssh_message_get(s)) {
        const int type = ssh_message_type(msg);
        const int subtype = ssh_message_subtype(msg);
        if (type == SSH_REQUEST_AUTH && subtype == SSH_AUTH_METHOD_INTERACTIVE) {
            if (!ssh_message_auth_kbdint_is_response(msg)) { // responses carry no user name
                user = ssh_message_auth_user(msg) ? ssh_message_auth_user(msg) : "";
                const char *prompts[] = {"Password: "};
                char echo[] = {0};
                ssh_message_auth_interactive_request(msg, "factorybench-test", "Step 1 of 2", 1, prompts, echo);
                round = 1;
            } else {
                const char *answer = ssh_userauth_kbdint_getnanswers(s) == 1 ? ssh_userauth_kbdint_getanswer(s, 0)
                                                                               : nullptr;
                if (round == 1 && answer && password == answer) {
                    const char *prompts[] = {"Verification code: "};
                    char echo[] = {1};
                    ssh_message_auth_interactive_request(msg, "factorybench-test", "Step 2 of 2", 1, prompts, echo);
                    round = 2;
                } else if (round == 2 && codeMatches(secret, answer)) {
                    ssh_message_auth_reply_success(msg, 0);
                    authenticated = true;
                } else {
                    round = 0;
                    ssh_message_reply_default(msg); // failure; the client may start over
                }
            }
        } else if (type == SSH_REQUEST_AUTH) {
            ssh_message_auth_set_methods(msg, SSH_AUTH_METHOD_INTERACTIVE);
            ssh_message_reply_default(msg);
        } else if (authenticated && type == SSH_REQUEST_CHANNEL_OPEN && subtype == SSH_CHANNEL_SESSION) {
            ssh_message_channel_request_open_reply_accept(msg);
        } else if (authenticated && type == SSH_REQUEST_CHANNEL && subtype == SSH_CHANNEL_REQUEST_EXEC) {
            ssh_channel ch = ssh_message_channel_request_channel(msg);
            const std::string command = ssh_message_channel_request_command(msg);
            ssh_message_channel_request_reply_success(msg);
            const std::string reply = "kbdint-ok " + user + ": " + command + "\n";
            ssh_channel_write(ch, reply.data(), uint32_t(reply.size()));
            ssh_channel_request_send_exit_status(ch, 0);
            ssh_channel_send_eof(ch);
            ssh_channel_close(ch);
        } else {
            ssh_message_reply_default(msg);
        }
        ssh_message_free(msg);
    }
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s HOSTKEY PASSWORD HEXSECRET\n", argv[0]);
        return 2;
    }
    const std::string secret = argv[3];
    if (secret.empty() || secret.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
        std::fprintf(stderr, "HEXSECRET must be hex digits\n");
        return 2;
    }
    ssh_bind bind = ssh_bind_new();
    unsigned int port = 0;
    ssh_bind_options_set(bind, SSH_BIND_OPTIONS_BINDADDR, "127.0.0.1");
    ssh_bind_options_set(bind, SSH_BIND_OPTIONS_BINDPORT, &port);
    ssh_bind_options_set(bind, SSH_BIND_OPTIONS_HOSTKEY, argv[1]);
    if (ssh_bind_listen(bind) != SSH_OK) {
        std::fprintf(stderr, "listen failed: %s\n", ssh_get_error(bind));
        return 1;
    }
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    getsockname(ssh_bind_get_fd(bind), reinterpret_cast<sockaddr *>(&addr), &len);
    std::printf("port %u\n", unsigned(ntohs(addr.sin_port)));
    std::fflush(stdout);

    for (;;) {
        pollfd fds[2] = {{ssh_bind_get_fd(bind), POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
        if (poll(fds, 2, -1) < 0)
            break;
        if (fds[1].revents) // stdin closed (or anything written): the test is done
            break;
        if (!(fds[0].revents & POLLIN))
            continue;
        ssh_session s = ssh_new();
        if (ssh_bind_accept(bind, s) == SSH_OK)
            serve(s, argv[2], secret);
        ssh_disconnect(s);
        ssh_free(s);
    }
    ssh_bind_free(bind);
    return 0;
}
