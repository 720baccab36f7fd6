#!/usr/bin/perl
# frontend_deep_configdir.t - a frontend whose configdirectory is deeper
# than a unix socket address holds (sockaddr_un: 107 bytes) still has its
# local mupdate channel: the slave listens on
# <configdirectory>/socket/mupdate.target and proxyd and pop3proxyd reach
# it, so "CREATE / SELECT in one session", a SELECT of a name just made
# on a backend, and POP3 for a user with no INBOX ([SYS/PERM], not
# [SYS/TEMP]) all work.  A 5-digit test pid once pushed CI's path to 108
# bytes and the slave ran without its channel.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Proxy;
use Murder::MsgIMAP;
use Murder::POP3;

BEGIN {
    # before anything asks for the test directory
    my $base = $ENV{MURDER_TMPDIR} // '/tmp/murder-tests';
    $ENV{MURDER_TMPDIR} = "$base/" . ('deep-configdirectory-' x 6);
}

skip_unless_built(qw(master imapd lmtpd pop3d proxyd pop3proxyd mupdate
                     ctl_mboxlist));
plan skip_all => 'needs the mupdate slave' unless Murder::Proxy::real_flow();

my $t = Murder::Proxy::murder();
my $s = Murder::Proxy::provision($t, alice => 0, bob => 1);
my $f = $t->frontend(0);
my $sock = $f->root . '/conf/socket/mupdate.target';

ok(length($sock) > 107, 'the socket path is longer than sockaddr_un holds ('
   . length($sock) . ' bytes)');
ok(-S $sock, 'the slave listens at it');

my $c = Murder::MsgIMAP::client($f, 'alice');
like(scalar $c->cmd("CREATE INBOX${s}Deep"), qr/^\S+ OK/, 'CREATE through the frontend');
like(scalar $c->cmd("SELECT INBOX${s}Deep"), qr/^\S+ OK/, 'SELECT it in the same session');
Murder::Proxy::admin_cmd($t->backend(1), "CREATE user${s}bob${s}Fresh");
$c->cmd('LOGOUT');

my $b = Murder::MsgIMAP::client($f, 'bob');
like(scalar $b->cmd("SELECT INBOX${s}Fresh"), qr/^\S+ OK/,
     'SELECT of a name just made on a backend: the slave was asked');
$b->cmd('LOGOUT');

my $p = Murder::POP3->connect($f);
like($p->login('carol', $Murder::Proxy::USERS{carol}), qr/^-ERR \[SYS\/PERM\] No mailbox/,
     'POP3 carol (no INBOX): [SYS/PERM] after asking the slave');
$p->close;
ok(!$f->wait_for_log(qr/cannot listen on path|slave unavailable/, 0),
   'no "cannot listen" or "slave unavailable" in the log');
$t->stop;
done_testing;
