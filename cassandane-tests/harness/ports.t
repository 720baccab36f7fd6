#!/usr/bin/perl
# ports.t - the harness hands out distinct free ports and addresses: many
# ports in a row never repeat, each is bindable once released, a port asked
# for on several addresses is free on all of them, addresses are distinct
# loopback addresses.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 30;
use Murder::Ports qw(alloc_port release_port alloc_addresses);
use IO::Socket::INET;

my @addrs = alloc_addresses(5);
is(scalar(keys %{{ map { $_ => 1 } @addrs }}), 5, 'five distinct addresses');
ok(!grep({ !/^127\.0\.0\.(\d+)$/ || $1 < 2 || $1 > 254 } @addrs), 'all in 127.0.0.2-254');

my @ports = map { alloc_port('127.0.0.1') } 1 .. 30;
is(scalar(keys %{{ map { $_ => 1 } @ports }}), 30, '30 ports, all distinct');
my $held = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $ports[0], Proto => 'tcp');
ok(!$held, 'a port is held (not bindable) until released');
release_port($_) for @ports;
my $ok = 0;
for my $p (@ports) {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $p,
                                  Proto => 'tcp', Listen => 1);
    $ok++ if $s;
}
is($ok, 30, 'every port is bindable after release');

my $shared = alloc_port(@addrs);
release_port($shared);
my @l = map { IO::Socket::INET->new(LocalAddr => $_, LocalPort => $shared,
                                    Proto => 'tcp', Listen => 1) } @addrs;
is(scalar(grep { $_ } @l), 5, "port $shared is free on all five addresses");
done_testing;
