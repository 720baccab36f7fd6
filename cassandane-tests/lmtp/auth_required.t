#!/usr/bin/perl
# auth_required.t - lmtpd without -a offers AUTH and refuses MAIL before
# it (530 5.7.0); an ordinary user's valid credentials are refused
# (535 5.7.8: only lmtp_admins/admins and proxyservers may deliver); an
# admin, and a proxy server acting for someone, may deliver.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::LMTP;
use Murder::RawIMAP;

skip_unless_built(qw(master lmtpd mbtool));

my $n = Murder::LMTP::lmtpd_node(users => ['alice'], preauth => 0,
                                 config => { admins => 'nobody', lmtp_admins => 'admin' });
my $c = Murder::LMTP->connect($n);
like($c->cmd('LHLO x'), qr/^250[- ]AUTH .*PLAIN/m, 'AUTH PLAIN offered');
like($c->cmd('MAIL FROM:<s@x>'), qr/^530 5\.7\.0 /, 'MAIL before AUTH: 530');
like($c->cmd('AUTH PLAIN ' . Murder::RawIMAP::plain('', 'alice', 'alice-pw')),
     qr/^535 5\.7\.8 /, 'a mailbox user may not deliver');
like($c->cmd('AUTH PLAIN ' . Murder::RawIMAP::plain('', 'admin', 'wrong')),
     qr/^535 5\.7\.8 /, 'wrong password');
like($c->cmd('AUTH PLAIN ' . Murder::RawIMAP::plain('', 'admin', 'admin-pw')),
     qr/^235 2\.0\.0/, 'lmtp_admins user authenticated');
$c->{lhlo} = 1;
my $r = $c->deliver('s@x', ['alice@x'], Murder::LMTP::message());
like($r->{data}[0], qr/^250 /, 'delivered after AUTH');

my $d = Murder::LMTP->connect($n);
like($d->cmd('LHLO x'), qr/^250 /m, 'LHLO');
like($d->cmd('AUTH PLAIN'), qr/^334 ?$/, 'AUTH without initial response: 334');
like($d->cmd(Murder::RawIMAP::plain('alice', 'proxy', 'proxy-pw')), qr/^235 /,
     'proxy server authorized as alice');
$d->{lhlo} = 1;
$r = $d->deliver('s@x', ['alice@x'], Murder::LMTP::message());
like($r->{data}[0], qr/^250 /, 'delivered through a proxy login');
like($d->cmd('AUTH PLAIN x'), qr/^503 5\.5\.1 /, 'second AUTH refused');
done_testing;
