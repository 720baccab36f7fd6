#!/usr/bin/perl
# plaintext_refused.t - without TLS configured and allowplaintext off, the
# server advertises LOGINDISABLED (and no STARTTLS), refuses LOGIN with
# NO [PRIVACYREQUIRED] and does not offer or accept PLAIN.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::RawIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::RawIMAP::imapd_node(config => { allowplaintext => 'no' });
my $c = Murder::RawIMAP->connect($n);
like($c->greeting, qr/\bLOGINDISABLED\b/, 'LOGINDISABLED');
unlike($c->greeting, qr/STARTTLS|AUTH=PLAIN|AUTH=LOGIN/, 'no STARTTLS, no plaintext mechs');
like($c->login('alice', 'alice-pw'), qr/^t1 NO \[PRIVACYREQUIRED\]/, 'LOGIN refused');
like(scalar $c->cmd('AUTHENTICATE PLAIN ' . Murder::RawIMAP::plain('', 'alice', 'alice-pw')),
     qr/^t2 NO/, 'PLAIN refused');
ok(!$n->log_lines(qr/login ok/), 'nobody logged in');
$n->stop;
done_testing;
