# SPDX-License-Identifier: BSD-3-Clause
# Murder::Ports - loopback addresses and free TCP ports for test instances.
#
# A port is found by binding port 0 (the kernel picks a free one) and is
# released right before the daemon that will use it starts; Instance retries
# with fresh ports if the daemon still finds it taken.  A port may be asked
# for on several addresses at once (backends of one murder share their
# service ports, each on its own 127.0.0.x, since a frontend reaches every
# backend on backend_imap_port).  Linux routes all of 127/8 to lo, so any
# 127.0.0.x can be bound without configuration.
package Murder::Ports;
use strict;
use warnings;
use Carp qw(croak);
use Socket qw(inet_aton);
use IO::Socket::INET;
use Exporter 'import';

our @EXPORT_OK = qw(alloc_addresses alloc_port release_port);

my %handed_out;    # "addr:port" and "port" given out by this process
my %held;          # port -> [sockets] keeping it reserved until release
my $next_host = 2 + ($$ % 200);

# alloc_addresses - $n distinct loopback addresses 127.0.0.x (x in 2..254),
# never the same twice in one process while there are unused ones.
sub alloc_addresses {
    my ($n) = @_;
    my @a;
    for (1 .. $n) {
        my $x = $next_host;
        $next_host = $next_host >= 254 ? 2 : $next_host + 1;
        push @a, "127.0.0.$x";
    }
    return @a;
}

# _bind - a bound (not listening) TCP socket on $addr:$port, or undef.
sub _bind {
    my ($addr, $port) = @_;
    return IO::Socket::INET->new(
        Proto => 'tcp', LocalAddr => $addr, LocalPort => $port);
}

# alloc_port - a TCP port free on every address in @addrs (default
# 127.0.0.1), held bound until release_port($port).  Dies after 50 tries.
sub alloc_port {
    my (@addrs) = @_;
    @addrs = ('127.0.0.1') unless @addrs;
    for my $try (1 .. 50) {
        my $first = _bind($addrs[0], 0) or croak "cannot bind $addrs[0]:0: $!";
        my $port = $first->sockport;
        next if $handed_out{$port};
        my @socks = ($first);
        my $ok = 1;
        for my $a (@addrs[1 .. $#addrs]) {
            my $s = _bind($a, $port);
            if (!$s) { $ok = 0; last }
            push @socks, $s;
        }
        next unless $ok;
        $handed_out{$port} = 1;
        $held{$port} = \@socks;
        return $port;
    }
    croak "no free port on @addrs after 50 tries";
}

# release_port - close the sockets holding $port so a daemon can bind it.
sub release_port {
    my ($port) = @_;
    my $s = delete $held{$port} or return;
    close($_) for @$s;
}

1;
