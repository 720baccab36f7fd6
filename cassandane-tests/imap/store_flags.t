#!/usr/bin/perl
# store_flags.t - STORE FLAGS / +FLAGS / -FLAGS and their .SILENT forms,
# keywords, UID STORE (responses carry UID), bad flags (BAD), a
# read-only mailbox (NO), and flag changes seen by a second session at
# its next command.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::MsgIMAP::node(users => ['alice']);
my $c = Murder::MsgIMAP::client($n, 'alice', 'INBOX');
my $msg = Murder::MsgIMAP::msg("Subject: s\n\nbody\n");
Murder::MsgIMAP::append($c, 'INBOX', $msg) for 1 .. 3;
Murder::MsgIMAP::cmd($c, 'NOOP');
my $d = Murder::MsgIMAP::client($n, 'alice', 'INBOX');

my ($ok, @u) = Murder::MsgIMAP::cmd($c, 'STORE 1 +FLAGS (\Flagged $Label1)');
like($ok, qr/^\S+ OK/, '+FLAGS ok');
is_deeply(\@u, ['* 1 FETCH (FLAGS (\Flagged $Label1))'], '+FLAGS response');
($ok, @u) = Murder::MsgIMAP::cmd($c, 'STORE 1:2 +FLAGS.SILENT \Seen');
is_deeply(\@u, [], '+FLAGS.SILENT sends nothing');
($ok, @u) = Murder::MsgIMAP::cmd($c, 'STORE 1 -FLAGS ($Label1)');
is_deeply(\@u, ['* 1 FETCH (FLAGS (\Flagged \Seen))'], '-FLAGS response');
($ok, @u) = Murder::MsgIMAP::cmd($c, 'STORE 2 FLAGS (\Answered \Draft)');
is_deeply(\@u, ['* 2 FETCH (FLAGS (\Answered \Draft))'], 'FLAGS replaces');
($ok, @u) = Murder::MsgIMAP::cmd($c, 'UID STORE 3 FLAGS.SILENT (\Deleted)');
is_deeply(\@u, [], 'UID STORE FLAGS.SILENT');
($ok, @u) = Murder::MsgIMAP::cmd($c, 'UID STORE 3 +FLAGS (\Seen)');
is_deeply(\@u, ['* 3 FETCH (FLAGS (\Deleted \Seen) UID 3)'], 'UID STORE has UID');

# the other session learns at its next command
($ok, @u) = Murder::MsgIMAP::cmd($d, 'NOOP');
my %f = map { /^\* (\d+) FETCH \(FLAGS (\([^)]*\))/ ? ($1 => $2) : () } @u;
is($f{1}, '(\Flagged \Seen)', 'other session: message 1');
is($f{2}, '(\Answered \Draft)', 'other session: message 2');
is($f{3}, '(\Deleted \Seen)', 'other session: message 3');
($ok, @u) = Murder::MsgIMAP::cmd($d, 'FETCH 1 FLAGS');
is_deeply(\@u, ['* 1 FETCH (FLAGS (\Flagged \Seen))'], 'FETCH FLAGS agrees');

for my $bad ('STORE 1 +FLAGS (\Recent)', 'STORE 1 +FLAGS (\Bogus)',
             'STORE 1 XFLAGS (\Seen)', 'STORE 1 +FLAGS', 'STORE 9 +FLAGS \Seen') {
    ($ok) = Murder::MsgIMAP::cmd($c, $bad);
    like($ok, qr/^\S+ BAD/, "$bad is BAD");
}
Murder::MsgIMAP::cmd($d, 'EXAMINE INBOX');
($ok) = Murder::MsgIMAP::cmd($d, 'STORE 1 +FLAGS \Seen');
like($ok, qr/^\S+ NO/, 'STORE in an EXAMINEd mailbox is NO');
$n->stop;
done_testing;
