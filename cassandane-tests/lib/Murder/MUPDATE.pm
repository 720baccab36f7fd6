# SPDX-License-Identifier: BSD-3-Clause
# Murder::MUPDATE - a small MUPDATE (RFC 3656) client for tests: connect,
# read the banner, AUTHENTICATE PLAIN with an initial response, send
# commands (arguments as quoted strings or literals), collect the
# responses that carry the command's tag (MAILBOX/RESERVE/DELETE) up to
# its OK/NO/BAD, and read a live UPDATE stream.
#
#   my $m = Murder::MUPDATE->new($node->connect('mupdate'));
#   $m->auth('admin', 'admin-secret') or die $m->last_text;
#   my $r = $m->cmd('RESERVE', 'user.x', 'be1!default');   # { status, text, items }
#   my $r = $m->cmd('FIND', 'user.x');  $r->{items}[0]     # ['RESERVE', 'user.x', 'be1!default']
#   $m->start_update;  my $item = $m->read_item(5);       # next streamed change
#
# Every read is bounded (default 10 s); undef means EOF or timeout.
package Murder::MUPDATE;
use strict;
use warnings;
use Carp qw(croak);
use IO::Select;
use MIME::Base64 qw(encode_base64);
use Scalar::Util ();
use Socket qw(PF_INET SOCK_STREAM SOL_SOCKET SO_RCVBUF inet_aton pack_sockaddr_in);
use Time::HiRes qw(time);
use Murder::Instance;
use Murder::Util ();

# Users of mupdate_node(): admin (in admins), murder (in admins, as in a
# Murder::Topology), bob (an ordinary user).
our %USERS = (admin => 'admin-pw', murder => 'murder-pw', bob => 'bob-pw');

# mupdate_node - start a node running only `mupdate -m` (the MUPDATE
# master) with %USERS in its sasldb.  config: extra imapd.conf options;
# tls => 1: a certificate (STARTTLS offered); root: a fixed directory.
sub mupdate_node {
    my (%a) = @_;
    my %config = (admins => 'admin murder', %{$a{config} // {}});
    if ($a{tls}) {
        require Murder::RawIMAP;
        my ($cert, $key) = Murder::RawIMAP::make_cert(Murder::Instance::test_dir() . '/tls');
        $config{tls_server_cert} = $cert;
        $config{tls_server_key} = $key;
    }
    # one fd per peer: maxfds as an admin sets it for many frontends
    my $svc = { name => 'mupdate', cmd => 'mupdate -m', prefork => 1,
                maxfds => $a{maxfds} // 4096 };
    my $n = Murder::Instance->new(name => $a{name} // 'mupdate', role => 'mupdate',
                                  config => \%config, services => [$svc],
                                  ($a{root} ? (root => $a{root}) : ()));
    $n->create_user($_, $USERS{$_}) for sort keys %USERS;
    $n->start unless $a{no_start};
    return $n;
}

# connect - a client on $node's mupdate service, banner read; logged in
# as $a{user} (password from %USERS) when given.
sub connect {
    my ($class, $node, %a) = @_;
    my $sock = $a{rcvbuf} ? small_socket($node, $a{rcvbuf}) : $node->connect('mupdate');
    my $self = $class->new($sock, %a);
    if ($a{user}) {
        $self->auth($a{user}, $a{password} // $USERS{$a{user}})
            or croak "MUPDATE login as $a{user} failed: " . ($self->last_text // 'EOF');
    }
    return $self;
}

# new - wrap a connected socket and read the banner (no_banner => 1 skips).
sub new {
    my ($class, $sock, %a) = @_;
    croak "MUPDATE: no socket" unless $sock;
    my $self = bless { sock => $sock, buf => '', tag => 0,
                       timeout => $a{timeout} // 10, banner => [] }, $class;
    $self->read_banner unless $a{no_banner};
    return $self;
}

# small_socket - a socket to $node's mupdate service whose receive buffer
# is $size bytes (set before connecting, so the window stays small): the
# server must then hold back what the client has not read.
sub small_socket {
    my ($node, $size) = @_;
    socket(my $fh, PF_INET, SOCK_STREAM, 0) or croak "socket: $!";
    setsockopt($fh, SOL_SOCKET, SO_RCVBUF, $size) or croak "SO_RCVBUF: $!";
    CORE::connect($fh, pack_sockaddr_in($node->port('mupdate'), inet_aton($node->address)))
        or croak "connect: $!";
    return $fh;
}

sub sock { $_[0]{sock} }
sub banner { @{$_[0]{banner}} }
# caps - { AUTH => [mechs], STARTTLS => 1, 'PARTIAL-UPDATE' => 1, OK => [...] }
sub caps { $_[0]{caps} }
sub last_text { $_[0]{last}{text} }

# read_banner - lines up to "* OK MUPDATE ..."; returns the banner lines.
sub read_banner {
    my ($self) = @_;
    my @lines;
    my %caps;
    while (defined(my $r = $self->read_response)) {
        push @lines, $r->{raw};
        my ($tag, $word, @args) = @{$r->{words}};
        next unless $tag eq '*';
        if ($word eq 'AUTH') { $caps{AUTH} = [@args] }
        elsif ($word eq 'OK') { $caps{OK} = [@args]; last }
        else { $caps{$word} = 1 }
    }
    $self->{banner} = \@lines;
    $self->{caps} = \%caps;
    return @lines;
}

# _fill - read more bytes into the buffer; 0 on EOF or timeout.
sub _fill {
    my ($self, $deadline) = @_;
    my $s = $self->{sock};
    my $sel = IO::Select->new($s);
    while (1) {
        my $pending = Scalar::Util::blessed($s) && $s->can('pending') ? $s->pending : 0;
        if (!$pending) {
            my $left = $deadline - time();
            return 0 if $left <= 0;
            next unless $sel->can_read($left);
        }
        my $n = sysread($s, my $chunk, 65536);
        if (!defined $n) {
            next if $!{EAGAIN} || $!{EINTR} || $!{EWOULDBLOCK};
            return 0;
        }
        return 0 if $n == 0;
        $self->{buf} .= $chunk;
        return 1;
    }
}

# _line - one line without CRLF, or undef.
sub _line {
    my ($self, $deadline) = @_;
    while ((my $i = index($self->{buf}, "\n")) < 0) {
        return undef unless $self->_fill($deadline);
    }
    my $i = index($self->{buf}, "\n");
    my $l = substr($self->{buf}, 0, $i + 1, '');
    $l =~ s/\r?\n$//;
    return $l;
}

# _bytes - exactly $n bytes, or undef.
sub _bytes {
    my ($self, $n, $deadline) = @_;
    while (length $self->{buf} < $n) {
        return undef unless $self->_fill($deadline);
    }
    return substr($self->{buf}, 0, $n, '');
}

# read_line - one raw line (SASL challenges), or undef.
sub read_line {
    my ($self, $timeout) = @_;
    return $self->_line(time() + ($timeout // $self->{timeout}));
}

# read_response - one response: { words => [tag, word, strings...], raw,
# literal => 1 if any literal was used }, or undef on EOF/timeout.
sub read_response {
    my ($self, $timeout) = @_;
    my $deadline = time() + ($timeout // $self->{timeout});
    my $line = $self->_line($deadline);
    return undef unless defined $line;
    my (@w, $raw, $lit);
    $raw = $line;
    while (1) {
        $line =~ s/^ +//;
        last if $line eq '';
        if ($line =~ s/^"((?:[^"\\]|\\.)*)"//) {
            (my $v = $1) =~ s/\\(.)/$1/g;
            push @w, $v;
        } elsif ($line =~ /^\{(\d+)\+?\}$/) {
            my $data = $self->_bytes($1, $deadline);
            return undef unless defined $data;
            push @w, $data;
            $lit = 1;
            $raw .= "\r\n$data";
            $line = $self->_line($deadline);
            return undef unless defined $line;
            $raw .= "\r\n$line";
        } elsif ($line =~ s/^([^ "]+)//) {
            push @w, $1;
        } else {
            push @w, $line;
            last;
        }
    }
    return { words => \@w, raw => $raw, literal => $lit };
}

# quote - an argument as a quoted string, or a {n+} literal when needed.
sub quote {
    my ($s) = @_;
    return "{" . length($s) . "+}\r\n$s" if $s =~ /[\r\n"\\\x80-\xff]/ || length $s > 1000;
    return qq{"$s"};
}

sub next_tag { my ($self) = @_; return 'T' . ++$self->{tag} }

# send_raw - write bytes as they are.
sub send_raw {
    my ($self, $data) = @_;
    return Murder::Util::write_all($self->{sock}, $data);
}

# send_cmd - send "tag CMD args..." (args quoted as needed); returns the tag.
sub send_cmd {
    my ($self, $cmd, @args) = @_;
    my $tag = $self->next_tag;
    $self->send_raw(join(' ', $tag, $cmd, map { quote($_) } @args) . "\r\n")
        or return undef;
    return $tag;
}

# wait_tagged - collect responses of $tag up to its OK/NO/BAD/BYE:
# { status, text, items => [[word, args...]], other => [untagged...] };
# status 'EOF' when the connection ended first.
sub wait_tagged {
    my ($self, $tag, $timeout) = @_;
    my %r = (items => [], other => []);
    while (1) {
        my $resp = $self->read_response($timeout);
        if (!$resp) {
            $r{status} = 'EOF';
            last;
        }
        my ($t, $word, @args) = @{$resp->{words}};
        if ($t ne $tag) {
            push @{$r{other}}, $resp->{words};
            next;
        }
        if ($word =~ /^(OK|NO|BAD|BYE)$/) {
            $r{status} = $word;
            $r{text} = $args[0];
            last;
        }
        push @{$r{items}}, [$word, @args];
    }
    $self->{last} = \%r;
    return \%r;
}

# cmd - send a command and wait for its completion (see wait_tagged).
sub cmd {
    my ($self, $cmd, @args) = @_;
    my $tag = $self->send_cmd($cmd, @args) // return { status => 'EOF', items => [] };
    return $self->wait_tagged($tag);
}

# auth - AUTHENTICATE PLAIN with an initial response; true on OK.
sub auth {
    my ($self, $user, $pass, %a) = @_;
    my $ir = encode_base64(join("\0", $a{authzid} // '', $user, $pass), '');
    my $r = $self->cmd('AUTHENTICATE', 'PLAIN', $ir);
    return $r->{status} eq 'OK';
}

# start_update - UPDATE [hosts]; returns the initial list's items (and
# the OK) as wait_tagged does; later changes come from read_item.
sub start_update {
    my ($self, @hosts) = @_;
    my $tag = $self->send_update(@hosts);
    return $self->wait_tagged($tag, $self->{timeout} * 6);
}

# send_update - send UPDATE [hosts] without reading: the list then comes
# from read_item (ending with ['OK', tag, text]).  Returns the tag.
sub send_update {
    my ($self, @hosts) = @_;
    my $tag = $self->send_cmd('UPDATE', @hosts);
    $self->{update_tag} = $tag;
    return $tag;
}

# read_item - the next item [word, args...] of the UPDATE, or a
# completion ['OK'|'NO'|'BAD', tag, text] (of any tag, the UPDATE's own
# included); undef on EOF or timeout.
sub read_item {
    my ($self, $timeout) = @_;
    my $resp = $self->read_response($timeout) or return undef;
    my ($t, $word, @args) = @{$resp->{words}};
    return [$word, $t, @args]
        if ($self->{update_tag} // '') ne $t || $word =~ /^(OK|NO|BAD|BYE)$/;
    return [$word, @args];
}

sub close { close($_[0]{sock}) }

1;
