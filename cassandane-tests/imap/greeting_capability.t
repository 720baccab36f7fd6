#!/usr/bin/perl
# greeting_capability.t - imapd greets with "* OK [CAPABILITY ...] <servername>
# IMAP4rev1 server ready" listing only pre-auth-safe words (no STARTTLS
# without a certificate, AUTH= from the SASL mech list, SASL-IR, LITERAL-),
# CAPABILITY says the same, NOOP works, LOGOUT answers BYE then OK and
# closes, and the next connection is served.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::RawIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::RawIMAP::imapd_node();
my $c = Murder::RawIMAP->connect($n);
my $sn = $n->servername;
like($c->greeting, qr/^\* OK \[CAPABILITY IMAP4rev1 [^\]]*\] \Q$sn\E IMAP4rev1 server ready$/,
     'greeting');
my ($caps) = $c->greeting =~ /\[CAPABILITY ([^\]]*)\]/;
my %cap = map { $_ => 1 } split ' ', $caps;
ok($cap{$_}, "greeting has $_") for qw(IMAP4rev1 LITERAL- ID ENABLE NAMESPACE SASL-IR
                                       AUTH=PLAIN AUTH=LOGIN AUTH=SCRAM-SHA-256);
ok(!$cap{STARTTLS}, 'no STARTTLS without a certificate');
ok(!$cap{LOGINDISABLED}, 'no LOGINDISABLED with allowplaintext');
ok(!$cap{'LITERAL+'}, 'no LITERAL+ before login');

my ($ok, @u) = $c->cmd('CAPABILITY');
like($ok, qr/^t1 OK/, 'CAPABILITY ok');
is_deeply(\@u, ["* CAPABILITY $caps"], 'CAPABILITY matches the greeting');
like(scalar $c->cmd('NOOP'), qr/^t2 OK/, 'NOOP');
like(scalar $c->cmd('NOOP extra'), qr/^t3 BAD/, 'NOOP with arguments is BAD');

($ok, @u) = $c->cmd('LOGOUT');
like($ok, qr/^t4 OK/, 'LOGOUT ok');
like($u[0] // '', qr/^\* BYE/, 'BYE before the tagged OK');
ok($c->at_eof, 'connection closed after LOGOUT');

# after login the list changes: LITERAL+, no authentication words
my $d = Murder::RawIMAP->connect($n);
($ok) = $d->login('alice', 'alice-pw');
like($ok, qr/^t1 OK \[CAPABILITY IMAP4rev1 LITERAL\+ [^\]]*\] /, 'capabilities in the login OK');
unlike($ok, qr/AUTH=|SASL-IR|LOGINDISABLED/, 'no authentication words after login');
($ok, @u) = $d->cmd('CAPABILITY');
like($u[0], qr/^\* CAPABILITY IMAP4rev1 LITERAL\+ ID ENABLE NAMESPACE( [A-Za-z0-9=+-]+)*$/, 'post-auth CAPABILITY');
like($u[0], qr/ IDLE .*MOVE .*CONDSTORE/, 'message-command words after login');
$d->cmd('LOGOUT');
$n->stop;
done_testing;
