#!/usr/bin/perl
# pop3proxy_backend_down.t - with one backend down, its users get -ERR
# [SYS/TEMP] at login from the frontend (promptly, not a hang) while the
# other backend's users are served; a session open when its backend dies
# ends; a user with no INBOX anywhere gets -ERR after the frontend asked
# its mupdate slave to catch up ([SYS/PERM] when the slave answered,
# [SYS/TEMP] when it could not be asked).
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Proxy;
use Murder::POP3;
use Time::HiRes qw(time);

skip_unless_built(qw(master imapd pop3d lmtpd pop3proxyd ctl_mboxlist testsvc));

my $t = Murder::Proxy::murder();
Murder::Proxy::provision($t, alice => 0, bob => 1);
my $f = $t->frontend(0);

my $open = Murder::POP3->connect($f);
like($open->login('bob', $Murder::Proxy::USERS{bob}), qr/^\+OK/, 'bob logged in before the failure');
$t->backend(1)->stop;
ok(!defined $open->cmd('STAT', 5) || $open->at_eof, 'the open session ends with its backend');

my $c = Murder::POP3->connect($f);
my $t0 = time;
like($c->login('bob', $Murder::Proxy::USERS{bob}), qr/^-ERR \[SYS\/TEMP\] /,
     'bob: -ERR [SYS/TEMP] with his backend down');
ok(time - $t0 < 5, 'answered promptly');
like($c->cmd('NOOP'), qr/^-ERR/, 'still in AUTHORIZATION state');
like($c->login('alice', $Murder::Proxy::USERS{alice}), qr/^\+OK Mailbox open/,
     'alice (other backend) logs in on the same connection');
like($c->cmd('STAT'), qr/^\+OK 0 0$/, 'alice: STAT');
like($c->cmd('QUIT'), qr/^\+OK/, 'alice: QUIT');
ok($f->wait_for_log(qr/backend connect failed server=<\Q@{[$t->backend(1)->servername]}\E> proto=<pop3>/, 5),
   'the failure is logged with the server');

$c = Murder::POP3->connect($f);
my $want = Murder::Proxy::real_flow() ? qr/^-ERR \[SYS\/PERM\] No mailbox/
                                      : qr/^-ERR \[SYS\/TEMP\] Mailbox list unavailable/;
like($c->login('carol', $Murder::Proxy::USERS{carol}), $want,
     'carol (no INBOX): -ERR after asking the slave');
$c->close;
$t->stop;
done_testing;
