#!/usr/bin/perl
# qresync_vanished_report.t - once QRESYNC is enabled, expunges are
# reported as "* VANISHED <uids>" instead of "* n EXPUNGE" (RFC 7162
# 3.2.10), both for another session's expunge (at NOOP) and for the
# session's own EXPUNGE; UID FETCH ... (CHANGEDSINCE m VANISHED) answers
# VANISHED (EARLIER) for the expunged UIDs of its set and FETCH for the
# changed ones.  A session without QRESYNC still gets EXPUNGE.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::MsgIMAP::node(users => ['alice']);
my $q = Murder::MsgIMAP::client($n, 'alice');
my $msg = Murder::MsgIMAP::msg("Subject: v\n\nbody\n");
Murder::MsgIMAP::append($q, 'INBOX', $msg) for 1 .. 6;
Murder::MsgIMAP::cmd($q, 'ENABLE QRESYNC');
my ($ok, @u) = Murder::MsgIMAP::cmd($q, 'SELECT INBOX');
my ($ms) = join("\n", @u) =~ /HIGHESTMODSEQ (\d+)/;
my $plain = Murder::MsgIMAP::client($n, 'alice', 'INBOX');

my $o = Murder::MsgIMAP::client($n, 'alice', 'INBOX');
Murder::MsgIMAP::cmd($o, 'UID STORE 2,4 +FLAGS.SILENT (\Deleted)');
Murder::MsgIMAP::cmd($o, 'EXPUNGE');
Murder::MsgIMAP::cmd($o, 'UID STORE 5 +FLAGS.SILENT (\Seen)');

($ok, @u) = Murder::MsgIMAP::cmd($q, 'NOOP');
is_deeply([grep { /VANISHED|EXPUNGE/ } @u], ['* VANISHED 2,4'],
          'other session expunge: VANISHED, no EXPUNGE');
($ok, @u) = Murder::MsgIMAP::cmd($plain, 'NOOP');
is_deeply([grep { /VANISHED|EXPUNGE/ } @u], ['* 4 EXPUNGE', '* 2 EXPUNGE'],
          'without QRESYNC: EXPUNGE as before');

Murder::MsgIMAP::cmd($q, 'UID STORE 6 +FLAGS.SILENT (\Deleted)');
($ok, @u) = Murder::MsgIMAP::cmd($q, 'EXPUNGE');
like($ok, qr/^\S+ OK/, 'own EXPUNGE');
is_deeply([grep { /VANISHED|EXPUNGE/ } @u], ['* VANISHED 6'], 'own EXPUNGE: VANISHED');

($ok, @u) = Murder::MsgIMAP::cmd($q, "UID FETCH 1:* (FLAGS) (CHANGEDSINCE $ms VANISHED)");
like($ok, qr/^\S+ OK/, 'UID FETCH (CHANGEDSINCE VANISHED)');
is_deeply([grep { /VANISHED/ } @u], ['* VANISHED (EARLIER) 2,4,6'],
          'VANISHED (EARLIER): exactly the expunged UIDs');
my @f = grep { /FETCH/ } @u;
is(scalar @f, 1, 'one changed message');
like($f[0] // '', qr/UID 5\b/, 'UID 5 (flagged \Seen) is the changed one');
like($f[0] // '', qr/MODSEQ \(\d+\)/, 'with MODSEQ');
($ok, @u) = Murder::MsgIMAP::cmd($q, "UID FETCH 1:3 (FLAGS) (CHANGEDSINCE $ms VANISHED)");
is_deeply([grep { /VANISHED|FETCH/ } @u], ['* VANISHED (EARLIER) 2'], 'restricted to the set');
like(scalar Murder::MsgIMAP::cmd($plain, "UID FETCH 1:* (FLAGS) (CHANGEDSINCE $ms VANISHED)"),
     qr/^\S+ BAD/, 'VANISHED without ENABLE QRESYNC: BAD');
$n->stop;
done_testing;
