#!/usr/bin/perl
# lmtpproxy_backend_down.t - with one backend down, one transaction to
# the frontend for a recipient on each backend: the down backend's
# recipient gets 451 4.4.1 (never a 5xx) and the other's 250, delivered
# once; after the backend is back the retried message is delivered.
# Lines starting with a dot and a message larger than one chunk of the
# proxy's spool pass through intact.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Proxy;
use Murder::LMTP;
use Murder::RawIMAP;

skip_unless_built(qw(master imapd pop3d lmtpd lmtpproxyd ctl_mboxlist testsvc));

my $t = Murder::Proxy::murder();
Murder::Proxy::provision($t, alice => 0, bob => 1);
my ($b1, $b2, $f) = ($t->backend(0), $t->backend(1), $t->frontend(0));

sub mta {
    my $c = Murder::LMTP->connect($f);
    $c->{lhlo} = $c->cmd('LHLO mta.example');
    my $ir = Murder::RawIMAP::plain('', $Murder::Topology::ADMIN_USER,
                                    $Murder::Topology::ADMIN_PASSWORD);
    $c->cmd("AUTH PLAIN $ir") =~ /^235 / or die 'AUTH failed';
    return $c;
}

my $body = join('', map { ($_ % 7 ? "line $_ " . ('x' x 60) : ".dot line $_") . "\r\n" } 1 .. 4000);
my $msg = Murder::LMTP::message(subject => 'one down', body => $body);
ok(length($msg) > 200_000, 'the message spans several spool chunks');

$b2->stop;
my $c = mta();
my $r = $c->deliver('s@example.com', ['bob@example.com', 'alice@example.com'], $msg);
like($r->{rcpt}[0], qr/^250 /, 'RCPT bob accepted (routed by the local list)');
like($r->{rcpt}[1], qr/^250 /, 'RCPT alice accepted');
like($r->{data}[0] // '', qr/^451 4\.4\.1 /, 'bob (backend down): 451 4.4.1');
like($r->{data}[1] // '', qr/^250 2\.1\.5/, 'alice: 250');
my @m = Murder::Proxy::backend_messages($b1, 'alice', 'INBOX');
is(scalar @m, 1, 'alice has the message once');
ok(substr($m[0] // '', -length $msg) eq $msg, 'dot lines and size intact');

$b2->start;
$r = $c->deliver('s@example.com', ['bob@example.com'], $msg);
like($r->{data}[0] // '', qr/^250 2\.1\.5/, 'bob: 250 once his backend is back');
@m = Murder::Proxy::backend_messages($b2, 'bob', 'INBOX');
is(scalar @m, 1, 'bob has the message once');
ok(substr($m[0] // '', -length $msg) eq $msg, 'intact on backend 2');
like($c->cmd('QUIT'), qr/^221 /, 'QUIT');
ok($f->wait_for_log(qr/proxied rcpt=<bob\@example\.com> server=<\Q@{[$b2->servername]}\E> reply=<451 4\.4\.1/, 5),
   'the deferral is logged');
$t->stop;
done_testing;
