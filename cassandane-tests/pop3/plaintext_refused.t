#!/usr/bin/perl
# plaintext_refused.t - with allowplaintext off (for the pop3 service) and no TLS, CAPA offers
# neither USER nor SASL PLAIN, USER is refused with -ERR [AUTH] and AUTH
# PLAIN is refused; after STLS, USER and SASL PLAIN appear, STLS is gone,
# and the login works and is logged with tls=<1>.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::POP3;

skip_unless_built(qw(master imapd pop3d));

my $n = Murder::POP3::node(users => ['alice'], tls => 1,
                           config => { pop3_allowplaintext => 'no' });
my $c = Murder::POP3->connect($n);
my ($ok, @caps) = $c->multi('CAPA');
my %cap = map { /^(\S+)/ ? ($1 => $_) : () } @caps;
ok(!$cap{USER}, 'no USER without TLS');
unlike($cap{SASL} // '', qr/PLAIN/, 'no SASL PLAIN without TLS');
ok($cap{STLS}, 'STLS offered');
like($c->cmd('USER alice'), qr/^-ERR \[AUTH\] /, 'USER refused');
like($c->cmd('AUTH PLAIN ' . Murder::RawIMAP::plain('', 'alice', 'alice-pw')),
     qr/^-ERR /, 'AUTH PLAIN refused');

like($c->cmd('STLS'), qr/^\+OK/, 'STLS');
ok($c->start_ssl, 'TLS handshake');
($ok, @caps) = $c->multi('CAPA');
%cap = map { /^(\S+)/ ? ($1 => $_) : () } @caps;
ok($cap{USER}, 'USER under TLS');
like($cap{SASL} // '', qr/PLAIN/, 'SASL PLAIN under TLS');
ok(!$cap{STLS}, 'no STLS under TLS');
like($c->login('alice'), qr/^\+OK/, 'USER/PASS under TLS');
ok($n->wait_for_log(qr/login ok user=<alice> mech=<plaintext> tls=<1>/, 5),
   'logged with tls=<1>');
$n->stop;
done_testing;
