#!/usr/bin/perl
# imap4rev2_off_by_default.t - without the imap4rev2 option the server
# neither advertises IMAP4rev2 nor lets a client ENABLE it (SEARCHRES, which
# RFC 9051 requires, does not exist yet), and SELECT keeps the IMAP4rev1
# responses; the other enableable extensions are unaffected.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::MsgIMAP::node(users => ['alice']);
my $c = Murder::MsgIMAP::client($n, 'alice');
my ($ok, @u) = Murder::MsgIMAP::cmd($c, 'CAPABILITY');
my ($caps) = grep { /^\* CAPABILITY / } @u;
unlike($caps // '', qr/\bIMAP4rev2\b/, 'IMAP4rev2 not advertised');
like($caps // '', qr/\bQRESYNC\b/, 'QRESYNC still advertised');
($ok, @u) = Murder::MsgIMAP::cmd($c, 'ENABLE IMAP4rev2 CONDSTORE');
like($ok, qr/ OK/, 'ENABLE answers OK');
my ($en) = grep { /^\* ENABLED/ } @u;
unlike($en // '', qr/IMAP4rev2/, 'IMAP4rev2 not enabled');
like($en // '', qr/CONDSTORE/, 'CONDSTORE enabled');
($ok, @u) = Murder::MsgIMAP::cmd($c, 'SELECT INBOX');
ok((grep { /^\* \d+ RECENT/ } @u), 'SELECT still sends RECENT (IMAP4rev1)');
$n->stop;
done_testing;
