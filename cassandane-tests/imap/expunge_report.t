#!/usr/bin/perl
# expunge_report.t - EXPUNGE removes the \Deleted messages and reports
# "* n EXPUNGE" (descending numbers) to the session and, at its next
# command, to another session on the mailbox; UID EXPUNGE (UIDPLUS) only
# removes the \Deleted messages of its set; a non-UID FETCH in the other
# session does not get EXPUNGEs (RFC 3501 7.4.1), a NOOP does.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::MsgIMAP::node(users => ['alice']);
my $c = Murder::MsgIMAP::client($n, 'alice', 'INBOX');
my $msg = Murder::MsgIMAP::msg("Subject: s\n\nbody\n");
Murder::MsgIMAP::append($c, 'INBOX', $msg) for 1 .. 6;
Murder::MsgIMAP::cmd($c, 'NOOP');
my $d = Murder::MsgIMAP::client($n, 'alice', 'INBOX');

Murder::MsgIMAP::cmd($c, 'STORE 2,4 +FLAGS.SILENT (\Deleted)');
my ($ok, @u) = Murder::MsgIMAP::cmd($c, 'EXPUNGE');
like($ok, qr/^\S+ OK/, 'EXPUNGE ok');
is_deeply([grep { /EXPUNGE/ } @u], ['* 4 EXPUNGE', '* 2 EXPUNGE'], 'own EXPUNGE responses');

($ok, @u) = Murder::MsgIMAP::cmd($d, 'FETCH 1 FLAGS');
is_deeply([grep { /EXPUNGE/ } @u], [], 'no EXPUNGE during FETCH');
($ok, @u) = Murder::MsgIMAP::cmd($d, 'NOOP');
is_deeply([grep { /EXPUNGE/ } @u], ['* 4 EXPUNGE', '* 2 EXPUNGE'], 'other session told at NOOP');

# now UIDs 1 3 5 6 = messages 1..4; delete UIDs 3 and 6, UID EXPUNGE 1:5
Murder::MsgIMAP::cmd($c, 'UID STORE 3,6 +FLAGS.SILENT (\Deleted)');
($ok, @u) = Murder::MsgIMAP::cmd($c, 'UID EXPUNGE 1:5');
like($ok, qr/^\S+ OK/, 'UID EXPUNGE ok');
is_deeply([grep { /EXPUNGE/ } @u], ['* 2 EXPUNGE'], 'only UID 3 expunged');
($ok, @u) = Murder::MsgIMAP::cmd($c, 'UID FETCH 1:* UID');
is(join(',', map { /UID (\d+)/ ? $1 : '?' } @u), '1,5,6', 'UID 6 (\Deleted, outside the set) stays');
($ok, @u) = Murder::MsgIMAP::cmd($d, 'NOOP');
is_deeply([grep { /EXPUNGE/ } @u], ['* 2 EXPUNGE'], 'other session told of UID EXPUNGE');
($ok) = Murder::MsgIMAP::cmd($c, 'UID EXPUNGE');
like($ok, qr/^\S+ BAD/, 'UID EXPUNGE needs a set');
($ok) = Murder::MsgIMAP::cmd($c, 'EXPUNGE 1');
like($ok, qr/^\S+ BAD/, 'EXPUNGE takes no set');
$n->stop;
done_testing;
