# SPDX-License-Identifier: BSD-3-Clause
# Murder::MsgIMAP - helpers for the message-command tests (FETCH, STORE,
# EXPUNGE, COPY/MOVE, IDLE): a backend with users' INBOXes created by the
# admin, logged-in raw clients, APPEND, and reading responses that carry
# literals.  Every read is bounded (RawIMAP's timeout).
#
#   my $n = Murder::MsgIMAP::node(users => ['alice']);
#   my $c = Murder::MsgIMAP::client($n, 'alice');
#   Murder::MsgIMAP::append($c, 'INBOX', $msg);
#   my ($ok, @resp) = Murder::MsgIMAP::cmd($c, 'FETCH 1 BODY[]');
#   # @resp: untagged responses with literal bytes inlined
package Murder::MsgIMAP;
use strict;
use warnings;
use Carp qw(croak);
use IO::Select;
use Time::HiRes qw(time);
use Murder::RawIMAP;

# The hierarchy separator of the last node() (from LIST "" "").
our $SEP = '.';

# node - an imapd node whose users (default alice, bob) have an INBOX.
sub node {
    my (%a) = @_;
    my $n = Murder::RawIMAP::imapd_node(
        config => { admins => 'admin', %{$a{config} // {}} });
    my $adm = Murder::RawIMAP->connect($n);
    $adm->login('admin', $Murder::RawIMAP::USERS{admin}) =~ /^\S+ OK/
        or croak 'admin login failed';
    my (undef, @l) = $adm->cmd('LIST "" ""');
    ($SEP) = join('', @l) =~ /^\* LIST \([^)]*\) "(.)"/ or croak 'no hierarchy separator';
    for my $u (@{$a{users} // ['alice', 'bob']}) {
        my $ok = $adm->cmd("CREATE user$SEP$u");
        croak "CREATE user.$u: " . ($ok // 'EOF') unless ($ok // '') =~ /^\S+ OK/;
    }
    $adm->cmd('LOGOUT');
    return $n;
}

# client - a logged-in client of $user (selects $select when given).
sub client {
    my ($n, $user, $select) = @_;
    my $c = Murder::RawIMAP->connect($n);
    my $ok = $c->login($user, $Murder::RawIMAP::USERS{$user});
    croak "login $user: " . ($ok // 'EOF') unless ($ok // '') =~ /^\S+ OK/;
    if ($select) {
        $ok = $c->cmd("SELECT $select");
        croak "SELECT $select: " . ($ok // 'EOF') unless ($ok // '') =~ /^\S+ OK/;
    }
    return $c;
}

# append - APPEND $msg (a LITERAL+ literal) to $mbox; the tagged reply.
sub append {
    my ($c, $mbox, $msg, $flags) = @_;
    my $tag = $c->next_tag;
    my $f = defined $flags ? "($flags) " : '';
    $c->send("$tag APPEND $mbox $f\{" . length($msg) . "+}\r\n$msg\r\n");
    return scalar $c->until_tag($tag, 30);
}

# read_bytes - exactly $len bytes from the client's socket, or undef.
sub read_bytes {
    my ($c, $len, $timeout) = @_;
    my $sock = $c->sock;
    my $sel = IO::Select->new($sock);
    my $deadline = time() + ($timeout // 10);
    my $data = '';
    while (length $data < $len) {
        # under TLS, bytes already decrypted are not seen by select
        my $pending = $sock->can('pending') ? $sock->pending : 0;
        if (!$pending) {
            my $left = $deadline - time();
            return undef if $left <= 0;
            next unless $sel->can_read($left);
        }
        my $n = sysread($sock, my $chunk, $len - length $data);
        next if !defined $n && $sock->isa('IO::Socket::SSL') &&
            $IO::Socket::SSL::SSL_ERROR == IO::Socket::SSL::SSL_WANT_READ();
        return undef unless $n;
        $data .= $chunk;
    }
    return $data;
}

# response - one server response with literals inlined ("{n}\r\n" kept,
# then the n bytes), or undef on EOF/timeout.
sub response {
    my ($c, $timeout) = @_;
    my $r = $c->line($timeout);
    return undef unless defined $r;
    while ($r =~ /~?\{(\d+)\}$/) {
        my $data = read_bytes($c, $1, $timeout);
        return undef unless defined $data;
        my $rest = $c->line($timeout);
        return undef unless defined $rest;
        $r .= "\r\n" . $data . $rest;
    }
    return $r;
}

# cmd - send "<tag> $text" and read to the tagged reply: in list context
# (tagged, untagged...) with literals inlined, in scalar context the
# tagged line.
sub cmd {
    my ($c, $text, $timeout) = @_;
    my $tag = $c->next_tag;
    $c->send("$tag $text\r\n") or return;
    my @u;
    while (defined(my $r = response($c, $timeout))) {
        return wantarray ? ($r, @u) : $r if $r =~ /^\Q$tag\E /;
        push @u, $r;
    }
    return wantarray ? (undef, @u) : undef;
}

# msg - a message with CRLF line ends from lines joined by "\n".
sub msg {
    my ($text) = @_;
    $text =~ s/\r?\n/\r\n/g;
    return $text;
}

1;
