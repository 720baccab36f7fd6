#!/usr/bin/perl
# starttls_pipelined.t - bytes sent after STARTTLS in the same packet were
# sent in plaintext and must never be run over TLS (CVE-2011-0411): the
# server refuses with BAD and BYE and closes; the next client is served.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::RawIMAP;

skip_unless_built(qw(master imapd));
eval { require IO::Socket::SSL; 1 } or plan(skip_all => 'IO::Socket::SSL missing');

my $n = Murder::RawIMAP::imapd_node(tls => 1);
my $c = Murder::RawIMAP->connect($n);
$c->send("a STARTTLS\r\nb LOGIN alice alice-pw\r\n");
my $l = $c->line;
like($l, qr/^a BAD/, 'STARTTLS with pipelined plaintext refused');
ok($c->at_eof, 'connection closed');
ok(grep(/^\* BYE/, @{$c->{tail}}), 'BYE sent');
ok(!$n->log_lines(qr/login ok/), 'the injected LOGIN never ran');

my $d = Murder::RawIMAP->connect($n);
like(scalar $d->cmd('STARTTLS'), qr/^t1 OK/, 'next client: STARTTLS');
ok($d->start_ssl, 'handshake');
like($d->login('alice', 'alice-pw'), qr/^t2 OK/, 'login over TLS');
$n->stop;
done_testing;
