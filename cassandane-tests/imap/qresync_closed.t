#!/usr/bin/perl
# qresync_closed.t - with QRESYNC enabled, a SELECT/EXAMINE that replaces
# a selected mailbox first sends "* OK [CLOSED]" (RFC 7162 3.2.11), before
# any response about the new mailbox, also when the new SELECT fails; not
# on a first SELECT, and not for a session without QRESYNC.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::MsgIMAP::node(users => ['alice']);
my $S = $Murder::MsgIMAP::SEP;
my $c = Murder::MsgIMAP::client($n, 'alice');
$c->cmd("CREATE INBOX${S}other");
Murder::MsgIMAP::cmd($c, 'ENABLE QRESYNC');
my ($ok, @u) = Murder::MsgIMAP::cmd($c, 'SELECT INBOX');
is_deeply([grep { /CLOSED/ } @u], [], 'first SELECT: no [CLOSED]');
($ok, @u) = Murder::MsgIMAP::cmd($c, "EXAMINE INBOX${S}other");
like($ok, qr/^\S+ OK/, 'EXAMINE other');
like($u[0] // '', qr/^\* OK \[CLOSED\]/, '[CLOSED] first');
is(scalar(grep { /CLOSED/ } @u), 1, 'once');
($ok, @u) = Murder::MsgIMAP::cmd($c, "SELECT INBOX${S}nosuch");
like($ok, qr/^\S+ NO/, 'SELECT of a missing mailbox fails');
like($u[0] // '', qr/^\* OK \[CLOSED\]/, '[CLOSED] still sent: the old one is closed');
($ok, @u) = Murder::MsgIMAP::cmd($c, 'SELECT INBOX');
is_deeply([grep { /CLOSED/ } @u], [], 'nothing was selected: no [CLOSED]');

my $p = Murder::MsgIMAP::client($n, 'alice', 'INBOX');
($ok, @u) = Murder::MsgIMAP::cmd($p, "SELECT INBOX${S}other");
is_deeply([grep { /CLOSED/ } @u], [], 'without QRESYNC: no [CLOSED]');
$n->stop;
done_testing;
