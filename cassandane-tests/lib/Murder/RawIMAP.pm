# SPDX-License-Identifier: BSD-3-Clause
# Murder::RawIMAP - a raw-socket IMAP client for tests that need exact
# bytes on the wire (bad input, literals, pipelining, STARTTLS), plus
# imapd_node() to start one node running imapd with test users.
#
#   my $n = Murder::RawIMAP::imapd_node(config => { ... }, tls => 1);
#   my $c = Murder::RawIMAP->connect($n);          # greeting read
#   my ($ok, @untagged) = $c->cmd('LOGIN alice secret');
#   like($ok, qr/^\S+ OK/);
#
# Every read is bounded (default 10 s); undef means EOF or timeout.
package Murder::RawIMAP;
use strict;
use warnings;
use Carp qw(croak);
use IO::Select;
use Time::HiRes qw(time);
use MIME::Base64 qw(encode_base64);
use Murder::Instance;
use Murder::Util ();

our %USERS = (alice => 'alice-pw', bob => 'bob-pw', proxy => 'proxy-pw',
              admin => 'admin-pw');

# make_cert - a self-signed certificate and key under $dir (EC, fast).
sub make_cert {
    my ($dir) = @_;
    mkdir $dir;
    my @cmd = ('openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt',
               'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
               '-subj', '/CN=127.0.0.1', '-keyout', "$dir/key.pem",
               '-out', "$dir/cert.pem");
    system(join(' ', map { "'$_'" } @cmd) . ' >/dev/null 2>&1') == 0
        or croak "openssl req failed";
    chmod(0644, "$dir/key.pem", "$dir/cert.pem");
    chmod(0755, $dir);
    return ("$dir/cert.pem", "$dir/key.pem");
}

# imapd_node - start a node serving imapd on service "imap" (and, with
# imaps => 1, implicit TLS on "imaps"); tls => 1 configures a certificate.
# config: extra imapd.conf options.  Users of %USERS are in its sasldb.
sub imapd_node {
    my (%a) = @_;
    my %config = (sasl_mech_list => 'PLAIN LOGIN SCRAM-SHA-256',
                  proxyservers => 'proxy', %{$a{config} // {}});
    if ($a{tls} || $a{imaps}) {
        my ($cert, $key) = make_cert(Murder::Instance::test_dir() . '/tls');
        $config{tls_server_cert} = $cert;
        $config{tls_server_key} = $key;
    }
    my @svc = ({ name => 'imap', cmd => 'imapd', prefork => 1 });
    push @svc, { name => 'imaps', cmd => 'imapd -s', prefork => 0 } if $a{imaps};
    my $n = Murder::Instance->new(name => 'imapd', services => \@svc,
                                  config => \%config);
    $n->create_user($_, $USERS{$_}) for sort keys %USERS;
    $n->start;
    return $n;
}

# connect - a client on $svc (default imap) of node $n, greeting read.
sub connect {
    my ($class, $n, %a) = @_;
    my $sock = $n->connect($a{service} // 'imap');
    my $self = bless { sock => $sock, tag => 0, timeout => $a{timeout} // 10 }, $class;
    if ($a{ssl}) {
        $self->start_ssl or croak "TLS handshake failed: " . IO::Socket::SSL::errstr();
    }
    $self->{greeting} = $self->line;
    return $self;
}

sub greeting { $_[0]{greeting} }
sub sock { $_[0]{sock} }

# start_ssl - upgrade the socket to TLS (no verification: self-signed).
sub start_ssl {
    my ($self) = @_;
    require IO::Socket::SSL;
    return IO::Socket::SSL->start_SSL($self->{sock}, SSL_verify_mode => 0,
                                      Timeout => $self->{timeout});
}

# send - write raw bytes.
sub send {
    my ($self, $data) = @_;
    return Murder::Util::write_all($self->{sock}, $data);
}

# line - one line without CRLF; undef on EOF or timeout.
sub line {
    my ($self, $timeout) = @_;
    my $sock = $self->{sock};
    my $sel = IO::Select->new($sock);
    my $deadline = time() + ($timeout // $self->{timeout});
    my $line = '';
    while (1) {
        my $pending = $sock->can('pending') ? $sock->pending : 0;
        if (!$pending) {
            my $left = $deadline - time();
            return undef if $left <= 0;
            next unless $sel->can_read($left);
        }
        my $n = sysread($sock, my $c, 1);
        if (!defined $n && $sock->isa('IO::Socket::SSL') &&
            $IO::Socket::SSL::SSL_ERROR == IO::Socket::SSL::SSL_WANT_READ()) {
            next;
        }
        return (length $line ? $line : undef) unless $n;
        if ($c eq "\n") {
            $line =~ s/\r$//;
            return $line;
        }
        $line .= $c;
    }
}

# next_tag - a fresh tag.
sub next_tag { my ($self) = @_; return 't' . ++$self->{tag} }

# until_tag - read lines until the tagged reply of $tag: in list context
# (tagged, untagged...), in scalar context the tagged line (undef on EOF).
sub until_tag {
    my ($self, $tag, $timeout) = @_;
    my @untagged;
    while (defined(my $l = $self->line($timeout))) {
        return wantarray ? ($l, @untagged) : $l if $l =~ /^\Q$tag\E /;
        push @untagged, $l;
    }
    return wantarray ? (undef, @untagged) : undef;
}

# cmd - send "<tag> $text\r\n" and read to the tagged reply.
sub cmd {
    my ($self, $text, $timeout) = @_;
    my $tag = $self->next_tag;
    $self->send("$tag $text\r\n") or return;
    return $self->until_tag($tag, $timeout);
}

# login - LOGIN with quoted arguments; the tagged reply.
sub login {
    my ($self, $user, $pw) = @_;
    return scalar $self->cmd(qq{LOGIN "$user" "$pw"});
}

# at_eof - true when the server closes within $timeout seconds (lines
# before the close are returned in @{$self->{tail}}).
sub at_eof {
    my ($self, $timeout) = @_;
    my @l;
    while (defined(my $l = $self->line($timeout // 5))) { push @l, $l }
    $self->{tail} = \@l;
    my $n = sysread($self->{sock}, my $c, 1);
    return !$n;
}

# plain - the base64 of a SASL PLAIN response.
sub plain {
    my ($authzid, $authid, $pw) = @_;
    return encode_base64(join("\0", $authzid, $authid, $pw), '');
}

sub close { close($_[0]{sock}) }

1;
