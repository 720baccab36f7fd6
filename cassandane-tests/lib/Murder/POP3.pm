# SPDX-License-Identifier: BSD-3-Clause
# Murder::POP3 - a raw-socket POP3 client for the pop3d tests, and node()
# to start one backend node running imapd (for set-up: the admin creates
# the users' INBOXes, messages come in by APPEND) and pop3d (plus pop3d -s
# on "pop3s" with pop3s => 1).
#
#   my $n = Murder::POP3::node(users => ['alice'], tls => 1);
#   Murder::POP3::append($n, 'alice', $msg1, $msg2);
#   my $c = Murder::POP3->connect($n);             # greeting read
#   like($c->login('alice'), qr/^\+OK/);
#   my ($ok, @lines) = $c->multi('LIST');
#
# Every read is bounded (default 10 s); undef means EOF or timeout.  The
# line reading, TLS and EOF helpers are Murder::RawIMAP's.
package Murder::POP3;
use strict;
use warnings;
use Carp qw(croak);
use parent -norequire, 'Murder::RawIMAP';
use Murder::RawIMAP;
use Murder::MsgIMAP;

# node - imapd on "imap", pop3d on "pop3" (and "pop3s"); users (default
# alice, bob) get an INBOX.  config: extra imapd.conf options.
sub node {
    my (%a) = @_;
    my %config = (sasl_mech_list => 'PLAIN LOGIN', proxyservers => 'proxy',
                  admins => 'admin', %{$a{config} // {}});
    if ($a{tls} || $a{pop3s}) {
        my ($cert, $key) = Murder::RawIMAP::make_cert(
            Murder::Instance::test_dir() . '/tls');
        $config{tls_server_cert} = $cert;
        $config{tls_server_key} = $key;
    }
    my @svc = ({ name => 'imap', cmd => 'imapd', prefork => 0 },
               { name => 'pop3', cmd => 'pop3d', prefork => 0 });
    push @svc, { name => 'pop3s', cmd => 'pop3d -s', prefork => 0 } if $a{pop3s};
    my $n = Murder::Instance->new(name => 'pop3d', services => \@svc,
                                  config => \%config);
    $n->create_user($_, $Murder::RawIMAP::USERS{$_})
        for sort keys %Murder::RawIMAP::USERS;
    $n->start;
    my $adm = Murder::RawIMAP->connect($n);
    ($adm->login('admin', $Murder::RawIMAP::USERS{admin}) // '') =~ /^\S+ OK/
        or croak 'admin login failed';
    my (undef, @l) = $adm->cmd('LIST "" ""');
    my ($sep) = join('', @l) =~ /^\* LIST \([^)]*\) "(.)"/ or croak 'no separator';
    for my $u (@{$a{users} // ['alice', 'bob']}) {
        my $ok = $adm->cmd("CREATE user$sep$u") // 'EOF';
        croak "CREATE user$sep$u: $ok" unless $ok =~ /^\S+ OK/;
    }
    $adm->cmd('LOGOUT');
    return $n;
}

# append - APPEND each message to $user's INBOX over IMAP.
sub append {
    my ($n, $user, @msgs) = @_;
    my $c = Murder::MsgIMAP::client($n, $user);
    for my $m (@msgs) {
        my $ok = Murder::MsgIMAP::append($c, 'INBOX', $m) // 'EOF';
        croak "APPEND: $ok" unless $ok =~ /^\S+ OK/;
    }
    $c->cmd('LOGOUT');
}

# connect - a client of service pop3 (or $a{service}), greeting read.
sub connect {
    my ($class, $n, %a) = @_;
    return Murder::RawIMAP::connect($class, $n, service => 'pop3', %a);
}

# cmd - send "$text\r\n", return the one reply line.
sub cmd {
    my ($self, $text, $timeout) = @_;
    $self->send("$text\r\n") or return undef;
    return $self->line($timeout);
}

# multi - send $text; (status line, lines of the multi-line body with the
# dot-stuffing removed) when the status is +OK, else (status).
sub multi {
    my ($self, $text, $timeout) = @_;
    my $st = $self->cmd($text, $timeout);
    return ($st) unless defined $st && $st =~ /^\+OK/;
    my @l;
    while (defined(my $l = $self->line($timeout))) {
        return ($st, @l) if $l eq '.';
        $l =~ s/^\.//;
        push @l, $l;
    }
    return (undef, @l);
}

# raw_multi - send $text; (status, the raw bytes after the status line up
# to and including the "\r\n.\r\n" terminator) for exact wire checks.
sub raw_multi {
    my ($self, $text, $timeout) = @_;
    my $st = $self->cmd($text, $timeout);
    return ($st) unless defined $st && $st =~ /^\+OK/;
    my $data = '';
    while (defined(my $l = $self->line($timeout))) {
        $data .= "$l\r\n";
        return ($st, $data) if $l eq '.';
    }
    return (undef, $data);
}

# login - USER/PASS with the test password of $user (or $pw); the PASS
# reply (or the USER one when that failed).
sub login {
    my ($self, $user, $pw) = @_;
    my $r = $self->cmd("USER $user") // return undef;
    return $r unless $r =~ /^\+OK/;
    return $self->cmd('PASS ' . ($pw // $Murder::RawIMAP::USERS{$user}));
}

1;
