# SPDX-License-Identifier: BSD-3-Clause
# Murder::SASLLayer - the client side of a SASL security layer for tests:
# a DIGEST-MD5 exchange asking for integrity protection (auth-int), then
# line-oriented I/O through the layer (Authen::SASL's securesocket: every
# buffer carries a MAC and a sequence number, so a byte the server sends
# outside the layer breaks the session).
#
#   plan(skip_all => ...) unless Murder::SASLLayer::available();
#   my $sasl = Murder::SASLLayer::client('imap', $host, $user, $pw);
#   ... run the exchange with $sasl->client_start / client_step ...
#   my $l = Murder::SASLLayer->wrap($sasl, $sock);
#   $l->send("a1 NOOP\r\n"); my $line = $l->line;
package Murder::SASLLayer;
use strict;
use warnings;

# available - can this Perl do DIGEST-MD5 with a layer?
sub available {
    return eval { require Authen::SASL; require Authen::SASL::Perl::DIGEST_MD5; 1 };
}

# client - a DIGEST-MD5 client connection for $service on $host (the
# server's realm and digest-uri host) that insists on integrity only
# (Debian's Perl lacks the ciphers auth-conf needs).
sub client {
    my ($service, $host, $user, $pw) = @_;
    my $sasl = Authen::SASL->new(mechanism => 'DIGEST-MD5',
                                 callback => { user => $user, pass => $pw });
    my $conn = $sasl->client_new($service, $host);
    $conn->property(minssf => 1, maxssf => 1);
    return $conn;
}

# wrap - line I/O through $conn's layer on $sock (after the exchange).
sub wrap {
    my ($class, $conn, $sock) = @_;
    return bless { fh => $conn->securesocket($sock), pending => '' }, $class;
}

sub send {
    my ($self, $data) = @_;
    my $fh = $self->{fh};
    return print $fh $data;
}

# _fill - until pending holds $n bytes (or a CRLF when $n is undef)
sub _fill {
    my ($self, $n) = @_;
    while (defined $n ? length($self->{pending}) < $n : $self->{pending} !~ /\r\n/) {
        my $got = read($self->{fh}, my $chunk, 65536);
        return 0 unless $got;
        $self->{pending} .= $chunk;
    }
    return 1;
}

# line - one line without its CRLF; with literals => 1 an IMAP literal
# "{n}" at its end is read and the line continues after it.  undef: EOF.
sub line {
    my ($self, %a) = @_;
    $self->_fill or return undef;
    $self->{pending} =~ s/^(.*?)\r\n//s;
    my $l = $1;
    if ($a{literals} && $l =~ /\{(\d+)\}$/) {
        my $n = $1;
        $self->_fill($n) or return undef;
        $l .= "\r\n" . substr($self->{pending}, 0, $n, '');
        my $rest = $self->line(%a);
        $l .= $rest // '';
    }
    return $l;
}

# command - send "$tag $text", return the lines up to the tagged
# OK/NO/BAD (last; 'EOF' when the connection ended first).
sub command {
    my ($self, $tag, $text, %a) = @_;
    $self->send("$tag $text\r\n");
    my @l;
    while (defined(my $l = $self->line(%a))) {
        push @l, $l;
        return @l if $l =~ /^\Q$tag\E (OK|NO|BAD)\b/;
    }
    return (@l, 'EOF');
}

# multi - a POP3 multi-line body (after its status line), unstuffed.
sub multi {
    my ($self) = @_;
    my @l;
    while (defined(my $l = $self->line)) {
        return @l if $l eq '.';
        $l =~ s/^\.//;
        push @l, $l;
    }
    return (@l, 'EOF');
}

sub close { close($_[0]{fh}) }

1;
