#!/usr/bin/perl
# qresync_select.t - QRESYNC (RFC 7162): advertised; ENABLE QRESYNC; a
# client that reconnects with SELECT INBOX (QRESYNC (uidvalidity modseq))
# after another session expunged and flagged messages gets VANISHED
# (EARLIER) with exactly the expunged UIDs and FETCH (UID FLAGS MODSEQ)
# for exactly the changed messages; known UIDs narrow both; a UIDVALIDITY
# mismatch resyncs nothing; the parameter without ENABLE QRESYNC is BAD.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::MsgIMAP::node(users => ['alice']);
my $a = Murder::MsgIMAP::client($n, 'alice');
my ($ok, @u) = Murder::MsgIMAP::cmd($a, 'CAPABILITY');
like(join(' ', @u), qr/ QRESYNC\b/, 'QRESYNC advertised');
my $msg = Murder::MsgIMAP::msg("Subject: r\n\nbody\n");
Murder::MsgIMAP::append($a, 'INBOX', $msg) for 1 .. 8;

($ok, @u) = Murder::MsgIMAP::cmd($a, 'SELECT INBOX (QRESYNC (1 1))');
like($ok, qr/^\S+ BAD/, 'QRESYNC parameter before ENABLE QRESYNC: BAD');
($ok, @u) = Murder::MsgIMAP::cmd($a, 'ENABLE QRESYNC');
ok((grep { /^\* ENABLED QRESYNC$/ } @u), 'ENABLE QRESYNC');
($ok, @u) = Murder::MsgIMAP::cmd($a, 'SELECT INBOX');
my ($uv) = join("\n", @u) =~ /UIDVALIDITY (\d+)/;
my ($ms) = join("\n", @u) =~ /HIGHESTMODSEQ (\d+)/;
ok($uv && $ms, "UIDVALIDITY $uv HIGHESTMODSEQ $ms");
$a->cmd('LOGOUT');

# meanwhile another session: expunge 2, 5, 6; flag 3 and 7 (7 is later
# expunged too: only VANISHED for it); then flag 8
my $b = Murder::MsgIMAP::client($n, 'alice', 'INBOX');
Murder::MsgIMAP::cmd($b, 'UID STORE 3,7 +FLAGS.SILENT (\Flagged)');
Murder::MsgIMAP::cmd($b, 'UID STORE 2,5,6,7 +FLAGS.SILENT (\Deleted)');
like(scalar Murder::MsgIMAP::cmd($b, 'EXPUNGE'), qr/^\S+ OK/, 'other session expunged');
Murder::MsgIMAP::cmd($b, 'UID STORE 8 +FLAGS.SILENT ($Label1)');

my $c = Murder::MsgIMAP::client($n, 'alice');
Murder::MsgIMAP::cmd($c, 'ENABLE QRESYNC');
($ok, @u) = Murder::MsgIMAP::cmd($c, "SELECT INBOX (QRESYNC ($uv $ms))");
like($ok, qr/^\S+ OK/, 'SELECT (QRESYNC ...)');
my @v = grep { /VANISHED/ } @u;
is_deeply(\@v, ['* VANISHED (EARLIER) 2,5:7'], 'VANISHED (EARLIER) lists exactly the expunged UIDs');
my @f = grep { /FETCH/ } @u;
is(scalar @f, 2, 'two FETCH responses');
like($f[0] // '', qr/^\* 2 FETCH \(UID 3 FLAGS \(\\Flagged\) MODSEQ \(\d+\)\)$/, 'UID 3 flagged');
like($f[1] // '', qr/^\* 4 FETCH \(UID 8 FLAGS \(\$Label1\) MODSEQ \(\d+\)\)$/, 'UID 8 labelled');
my $vi = (grep { $u[$_] =~ /VANISHED/ } 0 .. $#u)[0];
my $fi = (grep { $u[$_] =~ /FETCH/ } 0 .. $#u)[0];
ok(defined $vi && defined $fi && $vi < $fi, 'VANISHED before FETCH');
ok((grep { /^\* 4 EXISTS$/ } @u), 'EXISTS is 4');

# known UIDs narrow the answer
($ok, @u) = Murder::MsgIMAP::cmd($c, "EXAMINE INBOX (QRESYNC ($uv $ms 1:4))");
like($ok, qr/^\S+ OK/, 'EXAMINE with known UIDs');
is_deeply([grep { /VANISHED|FETCH/ } @u], ['* VANISHED (EARLIER) 2', grep { /UID 3 / } @f],
          'only UIDs 1:4 reported');
# with seq-match data (checked, and the answer stays right)
($ok, @u) = Murder::MsgIMAP::cmd($c, "EXAMINE INBOX (QRESYNC ($uv $ms 1:8 (1:3 1:3)))");
is_deeply([grep { /VANISHED/ } @u], ['* VANISHED (EARLIER) 2,5:7'], 'seq-match data accepted');
($ok) = Murder::MsgIMAP::cmd($c, "EXAMINE INBOX (QRESYNC ($uv $ms 1:8 (1:3 1:2)))");
like($ok, qr/^\S+ BAD/, 'seq-match sets of different sizes: BAD');

# nothing changed since the current HIGHESTMODSEQ
($ok, @u) = Murder::MsgIMAP::cmd($c, 'SELECT INBOX');
my ($ms2) = join("\n", @u) =~ /HIGHESTMODSEQ (\d+)/;
($ok, @u) = Murder::MsgIMAP::cmd($c, "SELECT INBOX (QRESYNC ($uv $ms2))");
is_deeply([grep { /VANISHED|FETCH/ } @u], [], 'up to date: nothing to resync');
# another UIDVALIDITY: no resync at all
my $other = $uv + 1;
($ok, @u) = Murder::MsgIMAP::cmd($c, "SELECT INBOX (QRESYNC ($other $ms))");
like($ok, qr/^\S+ OK/, 'SELECT with a stale UIDVALIDITY succeeds');
is_deeply([grep { /VANISHED|FETCH/ } @u], [], 'but resyncs nothing');
like(scalar Murder::MsgIMAP::cmd($c, 'SELECT INBOX (QRESYNC (x 1))'), qr/^\S+ BAD/,
     'malformed QRESYNC: BAD');
$n->stop;
done_testing;
