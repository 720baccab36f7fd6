#!/usr/bin/perl
# imap4rev2_option.t - IMAP4rev2 is advertised after login by default
# (imapd.conf imap4rev2 defaults on since SEARCHRES exists); with
# "imap4rev2: no" the server neither advertises it nor lets a client
# ENABLE it, SELECT keeps the IMAP4rev1 responses, and the other
# enableable extensions are unaffected.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::MsgIMAP::node(users => ['alice']);
my $c = Murder::MsgIMAP::client($n, 'alice');
my ($ok, @u) = Murder::MsgIMAP::cmd($c, 'CAPABILITY');
my ($caps) = grep { /^\* CAPABILITY / } @u;
like($caps // '', qr/ IMAP4rev2\b/, 'default: IMAP4rev2 advertised');
like($caps // '', qr/ SEARCHRES\b/, 'default: SEARCHRES advertised');
($ok, @u) = Murder::MsgIMAP::cmd($c, 'ENABLE IMAP4rev2');
is_deeply(\@u, ['* ENABLED IMAP4rev2'], 'default: ENABLE IMAP4rev2 works');
$n->stop;

$n = Murder::MsgIMAP::node(users => ['alice'], config => { imap4rev2 => 'no' });
$c = Murder::MsgIMAP::client($n, 'alice');
($ok, @u) = Murder::MsgIMAP::cmd($c, 'CAPABILITY');
($caps) = grep { /^\* CAPABILITY / } @u;
unlike($caps // '', qr/\bIMAP4rev2\b/, 'off: IMAP4rev2 not advertised');
like($caps // '', qr/\bQRESYNC\b/, 'off: QRESYNC still advertised');
($ok, @u) = Murder::MsgIMAP::cmd($c, 'ENABLE IMAP4rev2 CONDSTORE');
like($ok, qr/ OK/, 'off: ENABLE answers OK');
my ($en) = grep { /^\* ENABLED/ } @u;
unlike($en // '', qr/IMAP4rev2/, 'off: IMAP4rev2 not enabled');
like($en // '', qr/CONDSTORE/, 'off: CONDSTORE enabled');
($ok, @u) = Murder::MsgIMAP::cmd($c, 'SELECT INBOX');
ok((grep { /^\* \d+ RECENT/ } @u), 'off: SELECT still sends RECENT (IMAP4rev1)');
$n->stop;
done_testing;
