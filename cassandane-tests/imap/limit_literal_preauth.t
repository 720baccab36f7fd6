#!/usr/bin/perl
# limit_literal_preauth.t - before login a synchronising literal above
# maxliteral_preauth is refused with NO [TOOBIG] instead of the "+"
# continuation and the session goes on; a non-synchronising literal above
# the LITERAL- limit (4096) cannot be skipped safely: BAD, BYE, close.
# The daemon serves the next client.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::RawIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::RawIMAP::imapd_node();
my $c = Murder::RawIMAP->connect($n);
$c->send("a LOGIN {100000000}\r\n");
like($c->line, qr/^a NO \[TOOBIG\]/, 'giant literal refused before the continuation');
like(scalar $c->cmd('NOOP'), qr/^t1 OK/, 'session goes on');
# a small literal is fine
$c->send("b LOGIN alice {8}\r\n");
like($c->line, qr/^\+ /, 'continuation for a small literal');
$c->send("alice-pw\r\n");
like(scalar $c->until_tag('b'), qr/^b OK/, 'LOGIN with literal password');

my $d = Murder::RawIMAP->connect($n);
$d->send("c LOGIN alice {5000+}\r\n" . ('x' x 5000) . "\r\n");
like($d->line, qr/^c BAD \[TOOBIG\]/, 'LITERAL- limit exceeded');
ok($d->at_eof, 'connection closed');
ok(grep(/^\* BYE/, @{$d->{tail}}), 'with BYE');

my $e = Murder::RawIMAP->connect($n);
$e->send("d LOGIN alice {8+}\r\nalice-pw\r\n");
like(scalar $e->until_tag('d'), qr/^d OK/, 'small non-synchronising literal accepted');
$n->stop;
done_testing;
