#!/usr/bin/perl
# limit_line_preauth.t - before login a command line longer than
# maxline_preauth is answered BAD (line too long) and skipped to its end;
# the session goes on.  After login the (larger) maxline applies, so the
# same line is merely an unknown command.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::RawIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::RawIMAP::imapd_node(config => { maxline_preauth => 1024 });
my $c = Murder::RawIMAP->connect($n);
my $long = 'a NOOP ' . ('x' x 100000);
$c->send("$long\r\n");
like($c->line, qr/^a BAD .*(long|line)/i, 'overlong line is BAD');
like(scalar $c->cmd('NOOP'), qr/^t1 OK/, 'session resynchronised');
ok($n->wait_for_log(qr/PROTOERR/, 5), 'PROTOERR logged');
like($c->login('alice', 'alice-pw'), qr/^t2 OK/, 'login');
$c->send('b XNOOP ' . ('x' x 2000) . "\r\n");
like(scalar $c->until_tag('b'), qr/^b BAD Unknown command/, 'post-auth limit is larger');
$n->stop;
done_testing;
