# SPDX-License-Identifier: BSD-3-Clause
# Murder::LineClient - a line-at-a-time client for simple text services
# (master/testsvc, and the greeting of any daemon): read the banner, send a
# command, read one reply line, each bounded in time.
package Murder::LineClient;
use strict;
use warnings;
use Carp qw(croak);
use Murder::Util ();

# new - wrap a connected socket; reads the banner unless no_banner => 1.
sub new {
    my ($class, $sock, %a) = @_;
    croak "LineClient: no socket" unless $sock;
    my $self = bless { sock => $sock, timeout => $a{timeout} // 10 }, $class;
    $self->{banner} = $self->read_line unless $a{no_banner};
    return $self;
}

sub sock { $_[0]{sock} }
sub banner { $_[0]{banner} }

# banner_field - a key=value field of the banner (e.g. pid, gen, uid).
sub banner_field {
    my ($self, $k) = @_;
    return ($self->{banner} // '') =~ /\b\Q$k\E=(\S+)/ ? $1 : undef;
}

sub read_line {
    my ($self, $timeout) = @_;
    return Murder::Util::read_line($self->{sock}, $timeout // $self->{timeout});
}

sub send_line {
    my ($self, $line) = @_;
    my $data = "$line\r\n";
    my $n = syswrite($self->{sock}, $data);
    return defined $n && $n == length $data;
}

# cmd - send $line and return the reply line (undef on EOF/timeout).
sub cmd {
    my ($self, $line, $timeout) = @_;
    $self->send_line($line) or return undef;
    return $self->read_line($timeout);
}

# at_eof - true if the peer closed the connection within $timeout s.
sub at_eof {
    my ($self, $timeout) = @_;
    my $l = $self->read_line($timeout // 5);
    return !defined $l;
}

sub close { close($_[0]{sock}) }

1;
