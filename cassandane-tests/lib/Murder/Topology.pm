# SPDX-License-Identifier: BSD-3-Clause
# Murder::Topology - builds the sets of Murder::Instance nodes tests need:
#
#   my $t = Murder::Topology->single(%opts);            # one backend
#   my $t = Murder::Topology->murder(backends => 2, frontends => 1, %opts);
#   $t->start;  $t->backend(0)->connect('imap');  $t->stop;
#
# In a murder each node has its own 127.0.0.x address and its servername is
# that address (so a mailbox location "127.0.0.12!default" is reachable
# without /etc/hosts).  All backends listen for imap/pop3/lmtp on the same
# ports, which frontends know as backend_imap_port, backend_pop3_port,
# backend_lmtp_port.  Backends and frontends point at the MUPDATE master
# with mupdate_server/mupdate_port and authenticate as user `murder`
# (mupdate_authname/mupdate_password); frontends authenticate to backends
# as `proxy` (proxy_authname/proxy_password), listed in the backends'
# proxyservers.  Those service users are created in the sasldb of the node
# that checks them; test users with add_user go to every node.
#
# Options: config => {...} for every node, backend_config, frontend_config,
# mupdate_config => {...} per role, services/placeholders/root/persist
# passed through; ports => { imap => N, ... } fixes ports (the demo).
package Murder::Topology;
use strict;
use warnings;
use Carp qw(croak);
use Murder::Instance;
use Murder::Ports qw(alloc_addresses alloc_port);

our $MUPDATE_USER = 'murder';
our $MUPDATE_PASSWORD = 'murder-secret';
our $PROXY_USER = 'proxy';
our $PROXY_PASSWORD = 'proxy-secret';
our $ADMIN_USER = 'admin';
our $ADMIN_PASSWORD = 'admin-secret';

# single - one backend on 127.0.0.1-like address of its own.
sub single {
    my ($class, %o) = @_;
    my ($addr) = $o{address} // alloc_addresses(1);
    my $b = Murder::Instance->new(
        name => $o{name} // 'backend', role => 'backend', address => $addr,
        config => { %{$o{config} // {}}, %{$o{backend_config} // {}} },
        _pass(%o));
    my $self = bless { mupdate => undef, backends => [$b], frontends => [],
                       users => [] }, $class;
    $self->_service_users;
    return $self;
}

sub _pass {
    my (%o) = @_;
    my %p;
    for (qw(placeholders build env)) { $p{$_} = $o{$_} if exists $o{$_} }
    $p{persist} = 1 if $o{persist};
    return %p;
}

# murder - a MUPDATE master, $o{backends} (2) backends, $o{frontends} (1)
# frontends, each on its own loopback address.
sub murder {
    my ($class, %o) = @_;
    my $nb = $o{backends} // 2;
    my $nf = $o{frontends} // 1;
    my @addr = $o{addresses} ? @{$o{addresses}} : alloc_addresses(1 + $nb + $nf);
    my ($maddr, @rest) = @addr;
    my @baddr = @rest[0 .. $nb - 1];
    my @faddr = @rest[$nb .. $nb + $nf - 1];
    my %ports = %{$o{ports} // {}};
    $ports{mupdate} //= alloc_port($maddr);
    $ports{$_} //= alloc_port(@baddr) for qw(imap pop3 lmtp);
    my %root = $o{root} ? (map { $_ => "$o{root}/$_" } 'mupdate',
        (map { "backend$_" } 1 .. $nb), map { "frontend$_" } 1 .. $nf) : ();
    my %common = %{$o{config} // {}};
    my %mup_client = (
        mupdate_server => $maddr, mupdate_port => $ports{mupdate},
        mupdate_authname => $MUPDATE_USER, mupdate_password => $MUPDATE_PASSWORD,
    );

    my $m = Murder::Instance->new(
        name => 'mupdate', role => 'mupdate', address => $maddr,
        root => $root{mupdate},
        config => { admins => "$ADMIN_USER $MUPDATE_USER", %common,
                    %{$o{mupdate_config} // {}} },
        services => [{ name => 'mupdate', cmd => 'mupdate -m', prefork => 1,
                       maxfds => 4096, port => $ports{mupdate} }],
        _pass(%o));

    my @b;
    for my $i (1 .. $nb) {
        my $addr = $baddr[$i - 1];
        push @b, Murder::Instance->new(
            name => "backend$i", role => 'backend', address => $addr,
            root => $root{"backend$i"},
            config => { %mup_client, admins => $ADMIN_USER,
                        proxyservers => $PROXY_USER, %common,
                        %{$o{backend_config} // {}} },
            services => [map { { name => $_, cmd => $_ eq 'imap' ? 'imapd'
                                       : $_ eq 'pop3' ? 'pop3d' : 'lmtpd',
                                   prefork => 0, port => $ports{$_} } }
                         qw(imap pop3 lmtp)],
            start => _backend_start(%o),
            _pass(%o));
    }

    my @f;
    for my $i (1 .. $nf) {
        my $addr = $faddr[$i - 1];
        my %fp = map { $_ => $o{frontend_ports}{$_} } keys %{$o{frontend_ports} // {}};
        push @f, Murder::Instance->new(
            name => "frontend$i", role => 'frontend', address => $addr,
            root => $root{"frontend$i"},
            config => { %mup_client, admins => $ADMIN_USER,
                        proxy_authname => $PROXY_USER,
                        proxy_password => $PROXY_PASSWORD,
                        backend_imap_port => $ports{imap},
                        backend_pop3_port => $ports{pop3},
                        backend_lmtp_port => $ports{lmtp},
                        serverlist => join(' ', @baddr),
                        %common, %{$o{frontend_config} // {}} },
            services => [map { { name => $_->[0], cmd => $_->[1], prefork => $_->[2],
                                 (defined $fp{$_->[0]} ? (port => $fp{$_->[0]}) : ()) } }
                         ['imap', 'proxyd', 0], ['pop3', 'pop3proxyd', 0],
                         ['lmtp', 'lmtpproxyd', 0], ['mupdate', 'mupdate', 1]],
            _pass(%o));
    }
    my $self = bless { mupdate => $m, backends => \@b, frontends => \@f,
                       ports => \%ports, users => [] }, $class;
    $self->_service_users;
    return $self;
}

# _backend_start - START entries of a backend: database recovery, then
# pushing the local mailbox list to the MUPDATE master.  The push is wired
# only once a MUPDATE server is built: before that (issue #4) there is no
# master to push to, and `ctl_mboxlist -m` rightly refuses to run.
sub _backend_start {
    my (%o) = @_;
    return $o{backend_start} if $o{backend_start};
    my @start = ({ name => 'recover', cmd => 'ctl_cyrusdb -r' });
    push @start, { name => 'mupdatepush', cmd => 'ctl_mboxlist -m' }
        if Murder::Util::find_binary('mupdate', $o{build});
    return \@start;
}

# _service_users - the identities nodes use to talk to each other.
sub _service_users {
    my ($self) = @_;
    for my $n ($self->nodes) {
        $n->create_user($ADMIN_USER, $ADMIN_PASSWORD);
    }
    $self->{mupdate}->create_user($MUPDATE_USER, $MUPDATE_PASSWORD) if $self->{mupdate};
    $_->create_user($PROXY_USER, $PROXY_PASSWORD) for @{$self->{backends}};
}

# nodes - every instance, MUPDATE master first (start order).
sub nodes {
    my ($self) = @_;
    return grep { defined } $self->{mupdate}, @{$self->{backends}}, @{$self->{frontends}};
}

sub mupdate { $_[0]{mupdate} }
sub backend { $_[0]{backends}[$_[1] // 0] }
sub frontend { $_[0]{frontends}[$_[1] // 0] }
sub backends { @{$_[0]{backends}} }
sub frontends { @{$_[0]{frontends}} }

# missing - programs some node needs that are not built.
sub missing {
    my ($self) = @_;
    my %m = map { $_ => 1 } map { $_->missing } $self->nodes;
    return sort keys %m;
}

# add_user - a user with a password on every node (frontends check the
# password; backends accept the proxied authorization).
sub add_user {
    my ($self, $user, $password) = @_;
    $_->create_user($user, $password) for $self->nodes;
    push @{$self->{users}}, [$user, $password];
}

# start - start every node in order (MUPDATE master, backends, frontends).
sub start {
    my ($self) = @_;
    $_->start for $self->nodes;
    return $self;
}

# stop - stop every node in reverse order; returns the stop results.
sub stop {
    my ($self, %a) = @_;
    return [map { $_->stop(%a) } reverse $self->nodes];
}

1;
