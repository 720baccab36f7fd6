#!/usr/bin/perl
# imap4rev2_select.t - IMAP4rev2 (RFC 9051) is advertised after login and
# enableable; once enabled, SELECT sends no RECENT and no [UNSEEN] but a
# LIST response for the mailbox, STATUS leaves RECENT out, and a SELECT
# replacing a selection sends "* OK [CLOSED]".  A session that did not
# enable it keeps the IMAP4rev1 responses.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::MsgIMAP::node(users => ['alice'], config => { imap4rev2 => 'yes' });
my $S = $Murder::MsgIMAP::SEP;
my $c = Murder::MsgIMAP::client($n, 'alice');
my ($ok, @u) = Murder::MsgIMAP::cmd($c, 'CAPABILITY');
like(join(' ', @u), qr/^\* CAPABILITY IMAP4rev1 .* IMAP4rev2\b/, 'IMAP4rev2 advertised');
Murder::MsgIMAP::append($c, 'INBOX', Murder::MsgIMAP::msg("Subject: a\n\nx\n")) for 1 .. 2;
$c->cmd("CREATE INBOX${S}two");

my $old = Murder::MsgIMAP::client($n, 'alice');
($ok, @u) = Murder::MsgIMAP::cmd($old, 'SELECT INBOX');
ok((grep { /^\* 0 RECENT$/ } @u), 'IMAP4rev1: RECENT');
ok((grep { /^\* OK \[UNSEEN 1\]/ } @u), 'IMAP4rev1: [UNSEEN]');
ok(!(grep { /^\* LIST/ } @u), 'IMAP4rev1: no LIST');

($ok, @u) = Murder::MsgIMAP::cmd($c, 'ENABLE IMAP4rev2');
is_deeply(\@u, ['* ENABLED IMAP4rev2'], 'ENABLE IMAP4rev2');
($ok, @u) = Murder::MsgIMAP::cmd($c, 'SELECT INBOX');
like($ok, qr/^\S+ OK \[READ-WRITE\]/, 'SELECT under IMAP4rev2');
ok(!(grep { /RECENT/ } @u), 'no RECENT');
ok(!(grep { /UNSEEN/ } @u), 'no [UNSEEN]');
ok((grep { /^\* 2 EXISTS$/ } @u), 'EXISTS');
is_deeply([grep { /^\* LIST/ } @u], ["* LIST () \"$S\" \"INBOX\""], 'LIST with the mailbox name');
ok(!(grep { /CLOSED/ } @u), 'no [CLOSED] on the first SELECT');
($ok, @u) = Murder::MsgIMAP::cmd($c, "EXAMINE INBOX${S}two");
like($u[0] // '', qr/^\* OK \[CLOSED\]/, '[CLOSED] when replacing the selection');
($ok, @u) = Murder::MsgIMAP::cmd($c, 'STATUS INBOX (MESSAGES RECENT UIDNEXT)');
is_deeply([grep { /STATUS/ } @u], ['* STATUS "INBOX" (MESSAGES 2 UIDNEXT 3)'], 'STATUS without RECENT');
($ok, @u) = Murder::MsgIMAP::cmd($old, 'STATUS INBOX (MESSAGES RECENT)');
is_deeply([grep { /STATUS/ } @u], ['* STATUS "INBOX" (MESSAGES 2 RECENT 0)'],
          'IMAP4rev1 session: STATUS RECENT still 0');
$n->stop;
done_testing;
